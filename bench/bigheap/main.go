// Command bigheap builds a large live heap out of real data and writes a heap dump of it, for benchmarks.
//
// It parses Go source files (by default the standard library under GOROOT/src) with go/parser,
// comments included, and keeps every AST alive, cycling through the files again if one pass is not
// enough, until the live heap holds about -objects objects. Then it runs a GC, writes the dump and
// prints, as one JSON object on stdout, what it kept and how long each step took.
//
// Usage: bigheap [-objects N] [-src DIR] out.dump > facts.json
//
// Standard library only.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Parsed is one kept parse of one file.
type Parsed struct {
	Path string
	File *ast.File
}

// Kept holds everything the program keeps alive; it is a global, so the dump roots it in BSS.
var (
	Kept    []Parsed
	FileSet *token.FileSet
)

// maxCheckEvery is the most files parsed between two measurements of the live heap (each one is a full GC).
const maxCheckEvery = 400

func liveObjects() (objects, bytes uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapObjects, ms.HeapAlloc
}

func goFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable directories are skipped, not fatal
		}
		if d.IsDir() {
			return nil
		}
		if strings.HasSuffix(p, ".go") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

func main() {
	target := flag.Uint64("objects", 14_000_000, "stop parsing once the live heap holds this many objects")
	src := flag.String("src", "", "directory of Go sources to parse (default: GOROOT/src)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: bigheap [-objects N] [-src DIR] out.dump > facts.json")
		os.Exit(2)
	}
	out := flag.Arg(0)
	root := *src
	if root == "" {
		goroot := os.Getenv("GOROOT")
		if goroot == "" {
			goroot = runtime.GOROOT()
		}
		root = filepath.Join(goroot, "src")
	}
	files, err := goFiles(root)
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "bigheap: no Go files under %s (%v)\n", root, err)
		os.Exit(1)
	}

	start := time.Now()
	FileSet = token.NewFileSet()
	var parsedFiles, parseErrors, passes int
	var objects, heapBytes uint64
	nextCheck := maxCheckEvery
parse:
	for {
		passes++
		for _, p := range files {
			f, err := parser.ParseFile(FileSet, p, nil, parser.ParseComments)
			if f == nil {
				parseErrors++
				continue
			}
			if err != nil {
				parseErrors++ // testdata holds deliberately broken files; their partial ASTs are kept too
			}
			Kept = append(Kept, Parsed{Path: p, File: f})
			parsedFiles++
			if parsedFiles >= nextCheck {
				objects, heapBytes = liveObjects()
				if objects >= *target {
					break parse
				}
				// Aim at half the remaining gap at the rate seen so far, so the overshoot stays small.
				perFile := float64(objects) / float64(parsedFiles)
				step := int(float64(*target-objects) / perFile / 2)
				nextCheck = parsedFiles + min(max(step, 1), maxCheckEvery)
			}
		}
	}
	parseSeconds := time.Since(start).Seconds()
	astNodes := 0
	for _, k := range Kept {
		ast.Inspect(k.File, func(n ast.Node) bool {
			if n != nil {
				astNodes++
			}
			return true
		})
	}

	// The dump should hold only live objects: collect, then stop the collector so nothing moves in between.
	objects, heapBytes = liveObjects()
	debug.SetGCPercent(-1)
	dumpStart := time.Now()
	fd, err := os.Create(out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bigheap: %v\n", err)
		os.Exit(1)
	}
	debug.WriteHeapDump(fd.Fd())
	if err := fd.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "bigheap: %v\n", err)
		os.Exit(1)
	}
	dumpSeconds := time.Since(dumpStart).Seconds()
	st, err := os.Stat(out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bigheap: %v\n", err)
		os.Exit(1)
	}

	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // Linux: Maxrss in KB

	facts := map[string]interface{}{
		"peakRssMB":      float64(ru.Maxrss) / 1024,
		"goVersion":      runtime.Version(),
		"src":            root,
		"sourceFiles":    len(files),
		"passes":         passes,
		"filesParsed":    parsedFiles,
		"parseErrors":    parseErrors,
		"keptASTs":       len(Kept),
		"astNodes":       astNodes,
		"targetObjects":  *target,
		"heapObjects":    objects,
		"heapAllocBytes": heapBytes,
		"parseSeconds":   parseSeconds,
		"dumpSeconds":    dumpSeconds,
		"dumpPath":       out,
		"dumpBytes":      st.Size(),
	}
	enc, _ := json.Marshal(facts)
	fmt.Println(string(enc))
	runtime.KeepAlive(Kept)
	runtime.KeepAlive(FileSet)
}
