package dlm.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A static shape. The first dimension may be {@link #BATCH}, the symbolic batch size that is
 * only known when the graph runs; every other dimension is a compile-time constant.
 * Axes in the IR are absolute: axis 0 is the batch axis when the shape has one.
 */
public record Shape(List<Integer> dims) {
    public static final int BATCH = -1;
    public static final Shape SCALAR = new Shape(List.of());

    public Shape {
        dims = List.copyOf(dims);
        for (int i = 0; i < dims.size(); i++) {
            int d = dims.get(i);
            if (d == BATCH && i != 0) throw new IllegalArgumentException("batch dimension only allowed first: " + dims);
            if (d < 0 && d != BATCH) throw new IllegalArgumentException("negative dimension: " + dims);
        }
    }

    public static Shape of(int... dims) { return new Shape(Arrays.stream(dims).boxed().toList()); }

    /** A shape with the symbolic batch dimension in front of the given sample dimensions. */
    public static Shape batched(List<Integer> sample) {
        List<Integer> d = new ArrayList<>(sample.size() + 1);
        d.add(BATCH);
        d.addAll(sample);
        return new Shape(d);
    }

    public int rank() { return dims.size(); }
    public int dim(int i) { return dims.get(i < 0 ? i + dims.size() : i); }
    public boolean hasBatch() { return !dims.isEmpty() && dims.get(0) == BATCH; }

    /** Dimensions without the batch axis. */
    public List<Integer> sample() { return hasBatch() ? dims.subList(1, dims.size()) : dims; }

    public int[] toArray() { return dims.stream().mapToInt(Integer::intValue).toArray(); }

    /** The concrete dimensions for a given batch size. */
    public int[] resolve(int batch) {
        int[] r = toArray();
        if (hasBatch()) r[0] = batch;
        return r;
    }

    /** Element count for a given batch size. */
    public long numel(int batch) {
        long n = 1;
        for (int d : dims) n *= d == BATCH ? batch : d;
        return n;
    }

    /** Element count per sample (all dimensions but the batch axis). */
    public long sampleNumel() {
        long n = 1;
        for (int d : sample()) n *= d;
        return n;
    }

    public Shape with(int axis, int value) {
        List<Integer> d = new ArrayList<>(dims);
        d.set(axis, value);
        return new Shape(d);
    }

    /** Normalizes a possibly negative axis; throws a {@link ShapeException} when out of range. */
    public int axis(int axis) {
        int a = axis < 0 ? axis + rank() : axis;
        if (a < 0 || a >= rank()) throw new ShapeException("axis " + axis + " out of range for " + this);
        return a;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(dims.get(i) == BATCH ? "N" : dims.get(i).toString());
        }
        return sb.append(']').toString();
    }

    /** The shape as a user wrote it: without the batch axis. */
    public String sampleString() { return new Shape(sample()).toString(); }
}
