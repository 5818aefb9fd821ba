package dlm.ir.interp;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The reference interpreter: runs a graph of primitive ops node by node in double precision.
 * It is the oracle every pass and backend is checked against, so it favours obviousness over
 * speed. Layer ops (batchnorm, layernorm, dropout, lstm, losses) must be lowered first.
 *
 * <p>Only nodes that an output or an update depends on are evaluated, so a graph's unused
 * leaves (say, a target when only predictions are read) need no feed.
 *
 * <p>Dropout masks: each {@link #run} draws from a fresh {@code SplittableRandom(seed)} in node
 * order, so two runs with the same seed see the same masks (finite differences need that).
 */
public final class Interpreter {
    private final Graph g;
    private long seed;

    public Interpreter(Graph g) { this.g = g; }

    /** Sets the seed of the dropout masks (default 0) and returns this interpreter. */
    public Interpreter withSeed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Runs the graph for a batch size. feeds: Input and Target names to values (row-major,
     * class ids as exact doubles). state: Param name to value; read for Param leaves and
     * overwritten (state.put) for every graph update after the run. Returns every graph output
     * by name.
     */
    public Map<String, double[]> run(int batch, Map<String, double[]> feeds, Map<String, double[]> state) {
        if (batch <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batch);
        Set<Value> live = live();
        RandomGenerator rng = new SplittableRandom(seed);
        Map<Value, Tensor> env = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!live.contains(n.out())) continue;
            int[] shape = n.out().shape().resolve(batch);
            List<Tensor> in = new ArrayList<>(n.inputs().size());
            for (Value v : n.inputs()) in.add(env.get(v));
            Tensor t = switch (n.op()) {
                case Op.Input i -> leaf("input", i.name(), shape, n.out().shape(), feeds);
                case Op.Target t2 -> leaf("target", t2.name(), shape, n.out().shape(), feeds);
                case Op.Param p -> leaf("param", p.name(), shape, n.out().shape(), state);
                case Op.Fill f -> { double[] d = new double[Tensor.numel(shape)]; Arrays.fill(d, f.value()); yield new Tensor(shape, d); }
                default -> {
                    try {
                        yield apply(n.op(), in, shape, rng);
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("interpreting " + n.out() + " = " + n.op().opName() + ": " + e.getMessage(), e);
                    }
                }
            };
            if (!Arrays.equals(t.shape(), shape))
                throw new IllegalStateException(n.out() + " = " + n.op().opName() + " computed shape " + Arrays.toString(t.shape())
                        + " but the graph types it " + n.out().type());
            env.put(n.out(), t);
        }
        Map<String, double[]> outputs = new LinkedHashMap<>();
        g.outputs().forEach((name, v) -> outputs.put(name, env.get(v).data().clone()));
        // all updates are computed before any is written: they all read the old state
        g.updates().forEach((name, v) -> state.put(name, env.get(v).data().clone()));
        return outputs;
    }

    /** Values that some output or update depends on. */
    private Set<Value> live() {
        Set<Value> live = new HashSet<>(g.outputs().values());
        live.addAll(g.updates().values());
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--)
            if (live.contains(nodes.get(i).out())) live.addAll(nodes.get(i).inputs());
        return live;
    }

    private static Tensor leaf(String kind, String name, int[] shape, Shape declared, Map<String, double[]> values) {
        double[] v = values.get(name);
        if (v == null)
            throw new IllegalArgumentException("no value for " + kind + " '" + name + "' of shape " + declared + " (" + Arrays.toString(shape) + " for this batch)");
        if (v.length != Tensor.numel(shape))
            throw new IllegalArgumentException(kind + " '" + name + "' has shape " + declared + ", i.e. " + Arrays.toString(shape)
                    + " = " + Tensor.numel(shape) + " values for this batch, but got " + v.length + " values");
        return new Tensor(shape, v.clone());
    }

    /**
     * Evaluates one primitive op on concrete inputs. outShape is the node's resolved type (used
     * by ops whose output shape is an attribute: reshape, sum_to); rng draws dropout masks.
     */
    public static Tensor apply(Op op, List<Tensor> in, int[] outShape, RandomGenerator rng) {
        return switch (op) {
            case Op.Leaf l -> throw new IllegalArgumentException(l.opName() + " is a leaf: it has no inputs to apply to");
            case Op.Unary u -> Elementwise.unary(u.fn(), u.alpha(), in.get(0));
            case Op.UnaryGrad u -> Elementwise.unaryGrad(u.fn(), u.alpha(), in.get(0), in.get(1));
            case Op.Binary b -> Elementwise.binary(b.fn(), in.get(0), in.get(1));
            case Op.SumTo s -> Elementwise.sumTo(in.get(0), outShape);
            case Op.BinaryCrossEntropy b -> Elementwise.binaryCrossEntropy(in.get(0), in.get(1));
            case Op.BinaryCrossEntropyGrad b -> Elementwise.binaryCrossEntropyGrad(in.get(0), in.get(1), in.get(2));
            case Op.MatMul m -> LinAlg.matmul(in.get(0), in.get(1), m.transA(), m.transB());
            case Op.Conv2d c -> Conv.forward(c, in.get(0), in.get(1));
            case Op.Conv2dGradInput c -> Conv.gradInput(c, in.get(0), in.get(1));
            case Op.Conv2dGradWeight c -> Conv.gradWeight(c, in.get(0), in.get(1));
            case Op.MaxPool2d p -> Pool.max(in.get(0), p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight());
            case Op.MaxPool2dGrad p -> Pool.maxGrad(in.get(0), in.get(1), p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight());
            case Op.AvgPool2d p -> Pool.avg(in.get(0), p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad());
            case Op.AvgPool2dGrad p -> Pool.avgGrad(in.get(0), p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad(), p.inH(), p.inW());
            case Op.ChannelsLast c -> channelsLast(c, in, rng);
            case Op.Upsample u -> Upsample.forward(u.mode(), u.scale(), in.get(0));
            case Op.UpsampleGrad u -> Upsample.grad(u.mode(), u.scale(), in.get(0));
            case Op.Reduce r -> Reductions.reduce(r.fn(), r.axes(), r.keepDims(), in.get(0));
            case Op.ReduceGrad r -> Reductions.reduceGrad(r.fn(), r.axes(), in.get(0), in.get(1), in.get(2));
            case Op.Softmax s -> Reductions.softmax(in.get(0), s.axis(), false);
            case Op.LogSoftmax s -> Reductions.softmax(in.get(0), s.axis(), true);
            case Op.SoftmaxGrad s -> Reductions.softmaxGrad(in.get(0), in.get(1), s.axis(), false);
            case Op.LogSoftmaxGrad s -> Reductions.softmaxGrad(in.get(0), in.get(1), s.axis(), true);
            case Op.Reshape r -> Movement.reshape(in.get(0), outShape);
            case Op.Transpose t -> Movement.transpose(in.get(0), t.perm());
            case Op.Concat c -> Movement.concat(in, c.axis());
            case Op.Slice s -> Movement.slice(in.get(0), s.axis(), s.start(), s.end());
            case Op.SliceGrad s -> Movement.sliceGrad(in.get(0), s.axis(), s.start(), s.size());
            case Op.Embedding e -> Movement.embedding(in.get(0), in.get(1));
            case Op.EmbeddingGrad e -> Movement.embeddingGrad(in.get(0), in.get(1), e.vocab());
            case Op.OneHot o -> Movement.oneHot(in.get(0), o.classes());
            case Op.DropoutMask d -> dropoutMask(in.get(0), d.rate(), rng);
            case Op.BatchNorm b -> throw notLowered(b);
            case Op.LayerNorm l -> throw notLowered(l);
            case Op.Dropout d -> throw notLowered(d);
            case Op.Lstm l -> throw notLowered(l);
            case Op.Loss l -> throw notLowered(l);
        };
    }

    /** A channels-last op is its NCHW twin between permutations: the definition, spelled out. */
    private static Tensor channelsLast(Op.ChannelsLast op, List<Tensor> in, RandomGenerator rng) {
        List<Tensor> nchw = new ArrayList<>();
        for (int i = 0; i < in.size(); i++)
            nchw.add(op.activationInput(i) ? Movement.transpose(in.get(i), Op.ChannelsLast.TO_NCHW) : in.get(i));
        Op twin = op.nchw();
        int[] twinShape = twin.infer(nchw.stream().map(t -> dlm.ir.Type.f32(t.shape())).toList()).shape().toArray();
        Tensor y = apply(twin, nchw, twinShape, rng);
        return op.activationOutput() ? Movement.transpose(y, Op.ChannelsLast.TO_NHWC) : y;
    }

    private static IllegalArgumentException notLowered(Op op) {
        return new IllegalArgumentException(op.opName() + " is a layer op, not a primitive: run the lower pass first");
    }

    /** 0 with probability rate, else 1/(1-rate) (inverted dropout, as torch). */
    private static Tensor dropoutMask(Tensor like, double rate, RandomGenerator rng) {
        double[] m = new double[like.size()];
        for (int i = 0; i < m.length; i++) m[i] = rng.nextDouble() < rate ? 0 : 1 / (1 - rate);
        return new Tensor(like.shape(), m);
    }

    /**
     * Initial values of every Param leaf by its Init: ZEROS, ONES, UNIFORM_FAN_IN =
     * U(-1/sqrt(fanIn), 1/sqrt(fanIn)), NORMAL = N(0, 1). Each parameter draws from its own
     * generator seeded by (seed, name), so adding a parameter does not change the others. The
     * model seed is mixed (SplittableRandom's first output) before the name's hash is added:
     * SplittableRandom steps its state by a fixed gamma, so a seed of {@code seed * gamma + hash}
     * made seed s+1's stream seed s's from its second draw on (its weights shifted by one).
     */
    public static Map<String, double[]> initParams(Graph g, long seed) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Node n : g.params()) {
            Op.Param p = (Op.Param) n.op();
            if (n.out().shape().hasBatch()) throw new IllegalArgumentException("param '" + p.name() + "' has a batch dimension: " + n.out().type());
            double[] v = new double[Tensor.numel(n.out().shape().toArray())];
            SplittableRandom r = new SplittableRandom(new SplittableRandom(seed).nextLong() + p.name().hashCode());
            switch (p.init()) {
                case ZEROS -> {}
                case ONES -> Arrays.fill(v, 1.0);
                case UNIFORM_FAN_IN -> {
                    if (p.fanIn() <= 0) throw new IllegalArgumentException("param '" + p.name() + "' is uniform_fan_in but has fan_in " + p.fanIn());
                    double b = 1 / Math.sqrt(p.fanIn());
                    for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-b, b);
                }
                case NORMAL -> { for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian(); }
            }
            out.put(p.name(), v);
        }
        return out;
    }
}
