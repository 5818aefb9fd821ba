package dlm.passes;

import dlm.ir.TrainSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The pass pipelines of dlm, declared here and nowhere else. Each is a list of passes; the
 * simplification, fusion, layout and memory-planning passes go into these lists, after
 * autodiff (so they apply to the backward graph too) and after the optimizer update.
 */
public final class Pipelines {
    private Pipelines() {}

    /** Forward, backward and optimizer step: what a training step compiles. */
    public static Pipeline training(TrainSpec spec) {
        List<Pass> p = new ArrayList<>();
        p.add(new LowerLayers(LowerLayers.Mode.TRAIN));
        p.add(new Autodiff());
        p.add(new OptimizerUpdate(spec.optimizer(), false));
        cleanup(p);
        // later: fusion, layout, memory plan
        return new Pipeline(p);
    }

    /** The forward pass only, with inference semantics (running statistics, no dropout). */
    public static Pipeline inference() {
        List<Pass> p = new ArrayList<>();
        p.add(new LowerLayers(LowerLayers.Mode.INFER));
        cleanup(p);
        // later: fusion, layout, memory plan
        return new Pipeline(p);
    }

    /** Loss and gradients, without an update: what {@code dlm grad} prints and checks. */
    public static Pipeline gradients() {
        List<Pass> p = new ArrayList<>();
        p.add(new LowerLayers(LowerLayers.Mode.TRAIN));
        p.add(new Autodiff());
        cleanup(p);
        return new Pipeline(p);
    }

    /**
     * fold, simplify, cse, dce: after the last pass that adds arithmetic (so the backward graph
     * and the optimizer update are cleaned too). Folding first gives simplification its 0s and
     * 1s; simplification and folding leave dead nodes and duplicate constants for cse and dce.
     */
    private static void cleanup(List<Pass> p) {
        p.add(new ChannelsLast()); // before cleanup: dce drops the boundary transposes nothing reads
        p.add(new ConstantFolding());
        p.add(new AlgebraicSimplification());
        p.add(new CommonSubexpressionElimination());
        p.add(new DeadCodeElimination());
    }
}
