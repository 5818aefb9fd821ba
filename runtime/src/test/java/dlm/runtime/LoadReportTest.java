package dlm.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LoadReportTest {
    private final Map<String, int[]> expected = Map.of("fc.weight", new int[]{2, 3}, "fc.bias", new int[]{2},
            "bn.running_mean", new int[]{2});

    @Test
    void cleanWhenEverythingMatches() {
        LoadReport r = LoadReport.compare(expected, Map.of("fc.weight", Tensor.zeros(2, 3), "fc.bias", Tensor.zeros(2),
                "bn.running_mean", Tensor.zeros(2)));
        assertTrue(r.clean());
        assertEquals(List.of("bn.running_mean", "fc.bias", "fc.weight"), r.loaded());
        assertSame(r, r.throwIfStrict(true));
    }

    @Test
    void strictListsEveryProblemByName() {
        LoadReport r = LoadReport.compare(expected, Map.of("fc.weight", Tensor.zeros(3, 2), "extra", Tensor.zeros(1)));
        assertEquals(List.of("bn.running_mean", "fc.bias"), r.missing());
        assertEquals(List.of("extra"), r.unexpected());
        assertEquals(List.of("fc.weight: expected [2, 3], got [3, 2]"), r.mismatched());
        assertSame(r, r.throwIfStrict(false));
        DlmException e = assertThrows(DlmException.class, () -> r.throwIfStrict(true));
        assertEquals("state dict does not match the model: missing: bn.running_mean, fc.bias; unexpected: extra; "
                + "shape mismatch: fc.weight: expected [2, 3], got [3, 2]", e.getMessage());
    }
}
