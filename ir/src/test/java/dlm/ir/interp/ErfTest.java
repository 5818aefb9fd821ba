package dlm.ir.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErfTest {
    // Reference values of erf and erfc (correctly rounded tables; also C's libm).
    private static final double[][] ERF = {
            {0.1, 0.1124629160182849, 0.8875370839817152},
            {0.5, 0.5204998778130465, 0.4795001221869535},
            {1, 0.8427007929497149, 0.15729920705028513},
            {2, 0.9953222650189527, 0.004677734981047265},
            {2.9, 0.9999589021219005, 4.109787809945886e-05},
            {3, 0.9999779095030014, 2.2090496998585438e-05},
            {3.5, 0.9999992569016276, 7.430983723414128e-07},
            {5, 0.9999999999984626, 1.5374597944280351e-12},
            {-1.5, -0.9661051464753108, 1.9661051464753108},
    };

    @Test void erfMatchesTable() {
        for (double[] row : ERF) {
            assertEquals(row[1], Erf.erf(row[0]), 2e-16 * 4, "erf(" + row[0] + ")");
            assertEquals(row[2], Erf.erfc(row[0]), Math.abs(row[2]) * 1e-13, "erfc(" + row[0] + ")");
        }
    }

    @Test void oddAndLimits() {
        assertEquals(0.0, Erf.erf(0.0));
        assertEquals(-Erf.erf(0.7), Erf.erf(-0.7));
        assertEquals(1.0, Erf.erf(40));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertEquals(2.0, Erf.erfc(-40));
        assertEquals(0.0, Erf.erfc(40));
        assertEquals(true, Double.isNaN(Erf.erf(Double.NaN)));
    }

    @Test void normalCdf() {
        // Phi(1) and Phi(-1), Phi(0) = 1/2
        assertEquals(0.8413447460685429, Erf.normalCdf(1), 1e-15);
        assertEquals(0.15865525393145707, Erf.normalCdf(-1), 1e-15);
        assertEquals(0.5, Erf.normalCdf(0), 0);
        // deep left tail keeps its relative accuracy: Phi(-10) = 7.6198530241605260660e-24
        assertEquals(7.619853024160526e-24, Erf.normalCdf(-10), 7.6e-24 * 1e-12);
    }
}
