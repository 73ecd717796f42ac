// Command genheap builds a large live heap quickly, without parsing anything, and writes a heap dump of it, for
// the bench's big stage (70 M objects builds in about a minute).
//
// The heap is a service's state: tenants, each with sessions in a map and a slice; each session with a linked
// list of events (some with a payload, some sharing a tag) and a few attributes; plus a balanced tree of nodes
// hung from a global. Sizes are spread over several size classes. The program allocates until it holds about
// -objects objects (counted as it allocates, checked once with MemStats at the end), runs a GC, writes the dump
// and prints, as one JSON object on stdout, what it kept and how long each step took.
//
// Usage: genheap [-objects N] out.dump > facts.json
//
// Standard library only.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

// Tag is shared by many events.
type Tag struct {
	Name  string
	Color uint32
}

// Event is one entry of a session's history.
type Event struct {
	ID      uint64
	At      int64
	Kind    uint32
	Next    *Event
	Tag     *Tag
	Payload *[16]byte
}

// Session is one user's session.
type Session struct {
	ID     uint64
	User   string
	First  *Event
	Last   *Event
	Count  int
	Attrs  map[string]string
	Tenant *Tenant
}

// Tenant owns sessions.
type Tenant struct {
	Name     string
	Sessions []*Session
	ByID     map[uint64]*Session
	Tags     []*Tag
}

// Node is a node of a binary tree.
type Node struct {
	Left, Right *Node
	Value       int64
}

// Everything the program keeps alive hangs from these globals, so the dump roots it in data and BSS.
var (
	Tenants []*Tenant
	Tree    *Node
)

var allocated uint64 // objects allocated so far (an estimate the final MemStats checks)

func tree(depth int) *Node {
	allocated++
	n := &Node{Value: int64(depth)}
	if depth > 0 {
		n.Left = tree(depth - 1)
		n.Right = tree(depth - 1)
	}
	return n
}

func newSession(t *Tenant, id uint64, events int) *Session {
	s := &Session{ID: id, User: "user-" + strconv.FormatUint(id, 36), Tenant: t}
	allocated += 2 // session, user string
	if id%8 == 0 {
		s.Attrs = map[string]string{"region": "eu", "plan": "pro"}
		allocated += 2 // map header and its group
	}
	for e := 0; e < events; e++ {
		ev := &Event{ID: id<<20 | uint64(e), At: int64(e) * 1000, Kind: uint32(e % 7), Tag: t.Tags[e%len(t.Tags)]}
		allocated++
		if e%4 == 0 {
			ev.Payload = &[16]byte{byte(e)}
			allocated++
		}
		if s.Last == nil {
			s.First = ev
		} else {
			s.Last.Next = ev
		}
		s.Last = ev
		s.Count++
	}
	return s
}

func main() {
	target := flag.Uint64("objects", 70_000_000, "live objects to aim at")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: genheap [-objects N] out.dump")
		os.Exit(2)
	}
	out := flag.Arg(0)
	start := time.Now()
	// A tree of about 1/64 of the objects.
	depth := 1
	for (uint64(1)<<(depth+1))-1 < *target/64 {
		depth++
	}
	Tree = tree(depth)
	var id uint64
	for allocated < *target {
		t := &Tenant{Name: "tenant-" + strconv.Itoa(len(Tenants)), ByID: map[uint64]*Session{}}
		allocated += 2
		for k := 0; k < 16; k++ {
			t.Tags = append(t.Tags, &Tag{Name: "tag-" + strconv.Itoa(k), Color: uint32(k)})
			allocated += 2
		}
		for k := 0; k < 2000 && allocated < *target; k++ {
			id++
			s := newSession(t, id, 8+int(id%41))
			t.Sessions = append(t.Sessions, s)
			t.ByID[id] = s
		}
		Tenants = append(Tenants, t)
	}
	buildSeconds := time.Since(start).Seconds()

	// The dump should hold only live objects: collect, then stop the collector so nothing moves in between.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	debug.SetGCPercent(-1)
	dumpStart := time.Now()
	fd, err := os.Create(out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "genheap: %v\n", err)
		os.Exit(1)
	}
	debug.WriteHeapDump(fd.Fd())
	if err := fd.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "genheap: %v\n", err)
		os.Exit(1)
	}
	dumpSeconds := time.Since(dumpStart).Seconds()
	st, err := os.Stat(out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "genheap: %v\n", err)
		os.Exit(1)
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // Linux: Maxrss in KB
	facts := map[string]interface{}{
		"peakRssMB":      float64(ru.Maxrss) / 1024,
		"goVersion":      runtime.Version(),
		"generator":      "genheap",
		"tenants":        len(Tenants),
		"sessions":       id,
		"treeDepth":      depth,
		"targetObjects":  *target,
		"heapObjects":    ms.HeapObjects,
		"heapAllocBytes": ms.HeapAlloc,
		"buildSeconds":   buildSeconds,
		"dumpSeconds":    dumpSeconds,
		"dumpPath":       out,
		"dumpBytes":      st.Size(),
	}
	enc, _ := json.Marshal(facts)
	fmt.Println(string(enc))
	runtime.KeepAlive(Tenants)
	runtime.KeepAlive(Tree)
}
