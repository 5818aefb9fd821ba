package dlm.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {
    @Test
    void shapeAndAccess() {
        Tensor t = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(6, t.numel());
        assertEquals(2, t.rank());
        assertEquals(3, t.dim(-1));
        assertEquals(3, t.sampleSize());
        assertEquals(6f, t.get(1, 2));
        t.set(9f, 0, 1);
        assertEquals(9f, t.data()[1]);
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
    }

    @Test
    void shapeIsNotAliased() {
        int[] s = {2, 2};
        Tensor t = Tensor.zeros(s);
        s[0] = 7;
        t.shape()[1] = 9;
        assertArrayEquals(new int[]{2, 2}, t.shape());
    }

    @Test
    void reshapeSharesDataAndInfers() {
        Tensor t = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor r = t.reshape(3, -1);
        assertArrayEquals(new int[]{3, 2}, r.shape());
        assertSame(t.data(), r.data());
        assertThrows(IllegalArgumentException.class, () -> t.reshape(4, -1));
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5));
    }

    @Test
    void sliceCopiesRowsOfAxisZero() {
        Tensor t = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor s = t.slice(1, 3);
        assertEquals(Tensor.of(new float[]{3, 4, 5, 6}, 2, 2), s);
        s.data()[0] = 100;
        assertEquals(3f, t.get(1, 0));
        assertEquals(0, t.slice(2, 2).dim(0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2, 4));
    }

    @Test
    void rowsGathersIntoPreallocatedTensor() {
        Tensor t = Tensor.of(new float[]{0, 1, 10, 11, 20, 21, 30, 31}, 4, 2);
        int[] idx = {3, 0, 2, 1};
        Tensor out = Tensor.zeros(2, 2);
        assertSame(out, t.rows(idx, 1, 3, out));
        assertEquals(Tensor.of(new float[]{0, 1, 20, 21}, 2, 2), out);
        assertEquals(Tensor.of(new float[]{30, 31, 0, 1}, 2, 2), t.rows(new int[]{3, 0}));
        assertThrows(IllegalArgumentException.class, () -> t.rows(idx, 0, 3, out));
        assertThrows(IndexOutOfBoundsException.class, () -> t.rows(new int[]{4}));
    }

    @Test
    void equalityIsOnContents() {
        Tensor a = Tensor.of(new float[]{1, 2}, 2);
        Tensor b = Tensor.of(new float[]{1, 2}, 2);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Tensor.of(new float[]{1, 2}, 1, 2));
        assertNotEquals(a, Tensor.of(new float[]{1, 3}, 2));
        assertTrue(a.allClose(Tensor.of(new float[]{1.00001f, 2}, 2), 1e-4f, 0));
        assertFalse(a.allClose(Tensor.of(new float[]{1.1f, 2}, 2), 1e-4f, 0));
    }

    @Test
    void readableToString() {
        assertEquals("Tensor[2, 2] [[1.0, 2.0], [3.0, 4.0]]", Tensor.of(new float[]{1, 2, 3, 4}, 2, 2).toString());
        assertEquals("Tensor[] 5.0", Tensor.scalar(5).toString());
        float[] d = new float[10];
        for (int i = 0; i < 10; i++) d[i] = i;
        assertEquals("Tensor[10] [0.0, 1.0, 2.0, ..., 7.0, 8.0, 9.0]", Tensor.vector(d).toString());
    }

    @Test
    void scalarItem() {
        assertEquals(3f, Tensor.scalar(3).item());
        assertEquals(0, Tensor.scalar(3).rank());
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).item());
    }
}
