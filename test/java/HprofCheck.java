// HprofCheck: reads an HPROF file with VisualVM's heap library (org.graalvm.visualvm.lib.jfluid.heap, from Debian's
// visualvm package: scripts/install-visualvm.sh) and prints what it sees as one JSON document on stdout, for the
// HPROF exporter's tests (test/export/hprof*.test.ts) to compare with goheap's own answers. goheap does not use
// this library: it is an independent reader.
//
// Usage: java -cp org-graalvm-visualvm-lib-jfluid-heap.jar test/java/HprofCheck.java FILE.hprof [TOP [summary]]
// The library keeps a cache folder beside the file it opens: the file is opened through a symbolic link in a
// temporary folder, so the cache goes there and is removed afterwards.
//
// Output: summary (live instances and bytes), classes (name, id, instance count, total shallow size, instance
// size, array or not, static object fields), instances ([id, class index, shallow size, retained size, reachable
// 0/1] for every instance), biggest (the TOP instances by retained size, default 20), roots (kind and instance id;
// frame roots with their thread's object id and frame number), threads (through VisualVM's thread API as its
// Threads view reads them: ThreadObjectGCRoot.getInstance() and getStackTrace(), the thread object's `name` String,
// `daemon`, `tid`, its class, its retained size, and the number of Java frame roots (locals) per thread).
//
// With `summary` (for a heap of millions of objects: the bench, bench/stages-hprof.ts), only the summary, the number
// of classes, the class with most fields, the number of GC roots and the threads without their retained size:
// nothing per instance and no dominator computation.
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.graalvm.visualvm.lib.jfluid.heap.FieldValue;
import org.graalvm.visualvm.lib.jfluid.heap.GCRoot;
import org.graalvm.visualvm.lib.jfluid.heap.Heap;
import org.graalvm.visualvm.lib.jfluid.heap.HeapFactory;
import org.graalvm.visualvm.lib.jfluid.heap.Instance;
import org.graalvm.visualvm.lib.jfluid.heap.JavaClass;
import org.graalvm.visualvm.lib.jfluid.heap.JavaFrameGCRoot;
import org.graalvm.visualvm.lib.jfluid.heap.ObjectFieldValue;
import org.graalvm.visualvm.lib.jfluid.heap.PrimitiveArrayInstance;
import org.graalvm.visualvm.lib.jfluid.heap.ThreadObjectGCRoot;

public class HprofCheck {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: HprofCheck FILE.hprof [TOP]");
            System.exit(2);
        }
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        boolean summaryOnly = args.length > 2 && "summary".equals(args[2]);
        Path dir = Files.createTempDirectory("hprofcheck");
        Path link = dir.resolve("heap.hprof");
        Files.createSymbolicLink(link, new File(args[0]).getAbsoluteFile().toPath());
        try {
            Heap heap = HeapFactory.createHeap(link.toFile());
            System.out.println(summaryOnly ? summary(heap) : check(heap, top));
        } finally {
            deleteTree(dir.toFile());
        }
    }

    static String check(Heap heap, int top) {
        StringBuilder out = new StringBuilder(1 << 20);
        out.append("{\"summary\":{\"instances\":").append(heap.getSummary().getTotalLiveInstances())
           .append(",\"bytes\":").append(heap.getSummary().getTotalLiveBytes()).append("},\n\"classes\":[");
        List<JavaClass> classes = heap.getAllClasses();
        Map<Long, Integer> classIndex = new HashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            JavaClass c = classes.get(k);
            classIndex.put(c.getJavaClassId(), k);
            if (k > 0) out.append(",\n");
            out.append("{\"name\":").append(str(c.getName())).append(",\"id\":").append(c.getJavaClassId())
               .append(",\"count\":").append(c.getInstancesCount()).append(",\"bytes\":").append(c.getAllInstancesSize())
               .append(",\"instanceSize\":").append(c.getInstanceSize()).append(",\"array\":").append(c.isArray())
               .append(",\"fields\":").append(c.getFields().size()).append(",\"statics\":[");
            boolean first = true;
            for (FieldValue v : c.getStaticFieldValues()) {
                if (!(v instanceof ObjectFieldValue)) continue;
                if (v.getField() == null || "<classLoader>".equals(v.getField().getName())) continue;
                Instance i = ((ObjectFieldValue) v).getInstance();
                if (!first) out.append(',');
                first = false;
                out.append("{\"name\":").append(str(v.getField().getName())).append(",\"id\":").append(i == null ? 0 : i.getInstanceId()).append('}');
            }
            out.append("]}");
        }
        out.append("],\n\"instances\":[");
        Iterator<Instance> it = heap.getAllInstancesIterator();
        boolean first = true;
        while (it.hasNext()) {
            Instance i = it.next();
            Integer ci = classIndex.get(i.getJavaClass().getJavaClassId());
            boolean reachable = i.isGCRoot() || i.getNearestGCRootPointer() != null;
            if (!first) out.append(",\n");
            first = false;
            out.append('[').append(i.getInstanceId()).append(',').append(ci == null ? -1 : ci).append(',').append(i.getSize())
               .append(',').append(i.getRetainedSize()).append(',').append(reachable ? 1 : 0).append(']');
        }
        out.append("],\n\"biggest\":[");
        List<Instance> biggest = heap.getBiggestObjectsByRetainedSize(top);
        for (int k = 0; k < biggest.size(); k++) {
            if (k > 0) out.append(',');
            out.append(biggest.get(k).getInstanceId());
        }
        out.append("],\n\"roots\":[");
        first = true;
        for (GCRoot r : heap.getGCRoots()) {
            if (!first) out.append(",\n");
            first = false;
            Instance i = r.getInstance();
            out.append("{\"kind\":").append(str(r.getKind())).append(",\"id\":").append(i == null ? 0 : i.getInstanceId());
            if (r instanceof JavaFrameGCRoot) {
                JavaFrameGCRoot f = (JavaFrameGCRoot) r;
                ThreadObjectGCRoot t = f.getThreadGCRoot();
                out.append(",\"thread\":").append(t == null || t.getInstance() == null ? 0 : t.getInstance().getInstanceId())
                   .append(",\"frame\":").append(f.getFrameNumber());
            }
            out.append('}');
        }
        List<String> threads = threads(heap, true);
        out.append("],\n\"threads\":[").append(String.join(",\n", threads)).append("]}");
        return out.toString();
    }

    /** The heap's summary, classes counted, the class with most fields, GC roots counted, and the threads. */
    static String summary(Heap heap) {
        List<JavaClass> classes = heap.getAllClasses();
        JavaClass widest = null;
        for (JavaClass c : classes) if (widest == null || c.getFields().size() > widest.getFields().size()) widest = c;
        StringBuilder out = new StringBuilder(1 << 16);
        out.append("{\"summary\":{\"instances\":").append(heap.getSummary().getTotalLiveInstances())
           .append(",\"bytes\":").append(heap.getSummary().getTotalLiveBytes()).append("},\n\"classCount\":").append(classes.size())
           .append(",\n\"widest\":{\"name\":").append(str(widest == null ? null : widest.getName()))
           .append(",\"fields\":").append(widest == null ? 0 : widest.getFields().size()).append("},\n\"gcRoots\":")
           .append(heap.getGCRoots().size())
           .append(",\n\"threads\":[").append(String.join(",\n", threads(heap, false))).append("]}");
        return out.toString();
    }

    /**
     * Each thread as VisualVM's Threads view reads it (ThreadObjectGCRoot: its instance's name, daemon, tid, class,
     * the number of its frame roots, and its stack), with its instance's retained size when `retained`.
     */
    static List<String> threads(Heap heap, boolean retained) {
        List<String> threads = new ArrayList<>();
        Map<Long, Integer> locals = new HashMap<>();
        for (GCRoot r : heap.getGCRoots()) {
            if (r instanceof JavaFrameGCRoot) {
                ThreadObjectGCRoot t = ((JavaFrameGCRoot) r).getThreadGCRoot();
                if (t != null && t.getInstance() != null) locals.merge(t.getInstance().getInstanceId(), 1, Integer::sum);
            }
        }
        for (GCRoot r : heap.getGCRoots()) {
            if (!(r instanceof ThreadObjectGCRoot)) continue;
            Instance i = r.getInstance();
            StringBuilder t = new StringBuilder();
            t.append("{\"id\":").append(i == null ? 0 : i.getInstanceId());
            if (i != null) {
                Object daemon = i.getValueOfField("daemon");
                Object tid = i.getValueOfField("tid");
                t.append(",\"class\":").append(str(i.getJavaClass().getName()))
                 .append(",\"name\":").append(str(stringValue(i.getValueOfField("name"))))
                 .append(",\"daemon\":").append(daemon == null ? "null" : daemon.toString())
                 .append(",\"tid\":").append(tid == null ? "null" : tid.toString());
                if (retained) t.append(",\"retained\":").append(i.getRetainedSize());
                t.append(",\"locals\":").append(locals.getOrDefault(i.getInstanceId(), 0));
            }
            t.append(",\"frames\":[");
            StackTraceElement[] st = ((ThreadObjectGCRoot) r).getStackTrace();
            for (int k = 0; st != null && k < st.length; k++) {
                if (k > 0) t.append(',');
                t.append(str(st[k].getClassName() + "." + st[k].getMethodName() + "(" + st[k].getFileName() + ":" + st[k].getLineNumber() + ")"));
            }
            t.append("]}");
            threads.add(t.toString());
        }
        return threads;
    }

    /** A java.lang.String instance's text (JDK 8: a char[] value; JDK 9+: a byte[] value with a coder), or null. */
    static String stringValue(Object o) {
        if (!(o instanceof Instance)) return null;
        Instance s = (Instance) o;
        if (!"java.lang.String".equals(s.getJavaClass().getName())) return null;
        Object v = s.getValueOfField("value");
        if (!(v instanceof PrimitiveArrayInstance)) return null;
        List<?> vals = ((PrimitiveArrayInstance) v).getValues();
        StringBuilder b = new StringBuilder();
        for (Object c : vals) b.append(c.toString());
        return b.toString();
    }

    static String str(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static void deleteTree(File f) {
        File[] kids = f.listFiles();
        if (kids != null) for (File k : kids) deleteTree(k);
        f.delete();
    }
}
