package dlm.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.runtime.CompiledModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Different seeds give unrelated initial weights. Seeding each parameter's SplittableRandom with
 * seed * gamma + hash(name), gamma being the generator's own step, made seed 1's weights seed
 * 0's shifted by one element (that scheme fails this test: 511 of 512 shifted).
 */
class SeedTest {
    private static final String MODEL = """
            model m {
              input x: [16]
              h = x -> dense(32, activation=relu, name=fc1)
              output y = h -> dense(4, name=fc2)
            }
            """;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void nearbySeedsDrawUnrelatedWeights(Backend backend) {
        Program p = Dlm.compile("m.dlm", MODEL);
        for (long seed : new long[] {0, 1, 41}) {
            float[] a, b;
            try (CompiledModel m0 = p.build(null, backend, seed); CompiledModel m1 = p.build(null, backend, seed + 1)) {
                a = m0.stateDict().get("fc1.weight").data();
                b = m1.stateDict().get("fc1.weight").data();
            }
            int shifted = 0, same = 0;
            for (int i = 0; i + 1 < a.length; i++) {
                if (b[i] == a[i + 1]) shifted++;
                if (b[i] == a[i]) same++;
            }
            assertTrue(shifted <= 2 && same <= 2, "seed " + (seed + 1) + " repeats seed " + seed + "'s weights: "
                    + shifted + " shifted, " + same + " equal of " + a.length);
        }
    }
}
