package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ExplainCommandTest {
    private static int kernels(String out, String graph) {
        Matcher m = Pattern.compile("# " + graph + ": (\\d+) kernels, arena ([\\d,]+) bytes").matcher(out);
        assertTrue(m.find(), out);
        return Integer.parseInt(m.group(1));
    }

    @Test void lenet5KernelsBoundariesAndArena() {
        CliTest.Result r = CliTest.dlm("explain", CliTest.example("lenet5"));
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("# inference graph of lenet5 at batch 1: "), out);
        assertTrue(out.contains("# training graph of lenet5 at batch 32: "), out);
        assertTrue(out.contains("conv2d is a library call") && out.contains("mat_mul is a library call"), out);
        assertTrue(out.contains("= add(") && out.contains("= relu("), out);
        assertTrue(out.contains("stores ") && out.contains(": update of adam.m.fc1.weight"), out);
        assertTrue(out.contains("gradients computed for: conv1.weight, conv1.bias"), out);
        // the layout decision and its reason: lenet5's convolutions have 1 and 6 input channels
        assertTrue(out.contains("# inference layout: NCHW: only 0% of the convolution multiply-adds have >= 64 input channels"), out);
        assertTrue(out.contains("# training layout: NCHW: a training graph"), out);

        CliTest.Result off = CliTest.dlm("explain", CliTest.example("lenet5"), "--no-fuse", "--batch", "4");
        assertEquals(0, off.code(), off.err());
        assertTrue(off.out().contains("fusion is off"), off.out());
        assertTrue(kernels(out, "inference") < kernels(off.out(), "inference"));
        assertTrue(kernels(out, "training") * 2 < kernels(off.out(), "training"));
    }

    @Test void resnet50InferenceRunsChannelsLast() {
        CliTest.Result r = CliTest.dlm("explain", CliTest.example("resnet50"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("# inference layout: NHWC: 97% of the convolution multiply-adds have >= 64 input channels"), r.out());
        assertTrue(r.out().contains("conv2d_nhwc("), r.out());
    }

    @Test void frozenBackboneHasNoGradientKernels() {
        CliTest.Result r = CliTest.dlm("explain", CliTest.example("chexnet_transfer"), "--batch", "2");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("gradients computed for: head.weight, head.bias\n"), out);
        String training = out.substring(out.indexOf("# training graph"));
        assertFalse(training.contains("conv2d_grad"), "no convolution gradients for the frozen backbone");
    }

    @Test void userErrors() {
        CliTest.assertUserError(CliTest.dlm("explain", CliTest.example("lenet5"), "--skip-pass", "fusion"), "no pass named 'fusion'");
    }
}
