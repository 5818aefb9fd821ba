package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.KernelThreads;
import dlm.codegen.jvm.kernels.Simd;

/**
 * Stride-1 convolutions without a column matrix. A column matrix copies every input float
 * kh*kw times, and for the few channels of small networks that copy (and, backward, the
 * scatter-add back) cost more than the product itself. Here the product reads the image in
 * place: computed over "wide" output rows, as wide as the padded input row (wp), output
 * position s = oy*wp + ox of filter tap (c, ky, kx) reads padded-input float
 * c*hp*wp + ky*wp + kx + s, so tap p's row of the product's right-hand side is the padded image
 * shifted by a constant: {@link ConvGemmVector#nn} takes rows as offsets. The wp - ow extra
 * columns per row are computed and dropped (14/10 of the work for 5x5 on 14x14, 32/28 on
 * padded 28x28).
 *
 * <ul>
 *   <li>Forward, per image: y_wide[f, s] = sum_p w[f, p] x_pad[rows[p] + s], then the valid
 *       columns, with the epilogue, to NCHW. With whole vectors of filters and wide rows much
 *       wider than the output, over the output positions instead (see {@link #byPositions}).
 *   <li>Input gradient: the forward convolution of dy, padded by kh-1-pad, with the filters
 *       flipped and transposed (w'[c, f, a, b] = w[f, c, kh-1-a, kw-1-b]).
 *   <li>Weight gradient: dw[f, p] = sum over images and s of dy_wide[f, s] x_pad[rows[p] + s],
 *       dy_wide zero in the extra columns; as the product dw^T = X dy_wide^T for 16 filters or
 *       more (over the valid positions only with whole vectors of filters), else as dot
 *       products (see {@link #filtersAsColumns}).
 * </ul>
 *
 * <p>Forward and input gradient cut the images into chunks that the kernel threads take in
 * turn ({@link KernelThreads#run(KernelThreads.Chunks, int, int)}). The weight gradient sums
 * {@link #IMAGE_GROUPS} fixed groups of images separately (the threads take the groups in
 * turn, each padding and copying only its group's images), then adds the group sums in order.
 * Either way each output float is computed by the same operations whatever the thread count
 * and whichever thread takes a chunk. Scratch: a shared region (flipped filters, or the weight
 * gradient's group sums), then one region per thread (the padded image, the wide product).
 * Reused by every call (a field of {@link RunContext}): a steady-state step allocates nothing.
 * Used on the Vector API path only.
 */
final class DirectConv implements KernelThreads.Chunks {
    /** Threads the scratch has room for (the team may be smaller). */
    static final int MAX_PARTS = 4;
    /**
     * Chunks of images the forward and the input gradient are cut into, which the threads take in
     * turn: a thread the system leaves unscheduled for a while delays the call by at most one chunk.
     */
    static final int IMAGE_CHUNKS = 16;
    /** Groups of images whose weight gradients are summed separately, then added in order. */
    static final int IMAGE_GROUPS = 8;

    private enum Step { FORWARD, FORWARD_BY_POSITIONS, GRAD_INPUT, GRAD_INPUT_BY_TAPS, GRAD_WEIGHT }

    /**
     * Whether a convolution runs here: stride 1, no dilation, one group, padding below the kernel
     * size (so that the input gradient's padding kh-1-pad is not negative), and not pointwise
     * (those read the input as the column matrix already).
     */
    static boolean handles(int groups, int kh, int kw, int stride, int dilation, int pt, int pl, int pb, int pr) {
        return Simd.ENABLED && fits(groups, kh, kw, stride, dilation, pt, pl, pb, pr);
    }

    /**
     * Which form the input gradient takes. As a full correlation over dy padded by kh-1-pad
     * when that costs at most 1.5 times the useful multiply-adds ("same" convolutions); for a
     * convolution that shrinks the image most of those products would be with the padding, so
     * it goes tap by tap instead ({@link #gradInput}).
     */
    static boolean fullCorrelation(int groups, int c, int h, int w, int f, int kh, int kw, int stride, int dilation,
                                    int pt, int pl, int pb, int pr) {
        if (!handles(groups, kh, kw, stride, dilation, pt, pl, pb, pr)) return false;
        int oh = h + pt + pb - kh + 1, ow = w + pl + pr - kw + 1, wq = ow + 2 * (kw - 1) - pl - pr;
        return (long) wideCols(h, wq, kw) * 2 <= 3L * oh * ow;
    }

    /** {@link #handles} but for the Vector API: the scratch is planned for both paths (an AOT jar may run either). */
    static boolean fits(int groups, int kh, int kw, int stride, int dilation, int pt, int pl, int pb, int pr) {
        return groups == 1 && stride == 1 && dilation == 1 && kh * kw > 1
                && pt < kh && pb < kh && pl < kw && pr < kw && pt >= 0 && pl >= 0 && pb >= 0 && pr >= 0;
    }

    /**
     * Floats of scratch for a forward pass (x [n, c, h, w], f filters), room for either form (see
     * {@link #byPositions}) whatever the vector length: planned before the run picks one.
     */
    static long forwardScratch(int c, int h, int w, int f, int kh, int kw, int pt, int pl, int pb, int pr) {
        int hp = h + pt + pb, wp = w + pl + pr, oh = hp - kh + 1, ow = wp - kw + 1;
        long wide = (long) f * wholeStrips(wideCols(oh, wp, kw));
        if (f % 8 != 0) return MAX_PARTS * ((long) c * hp * wp + wide);
        long positions = (long) f * (wholePositions(oh * ow) + oh * ow);
        return (long) f * c * kh * kw + MAX_PARTS * ((long) c * hp * wp + Math.max(wide, positions));
    }

    /**
     * Which form the forward pass takes. Over wide rows ({@link ConvGemmVector#nn}, filters as
     * rows), which also computes the kw - 1 columns past each output row; or, with whole vectors
     * of filters, over the valid output positions only, filters as the vector lanes
     * ({@link ConvGemmVector#filtersAsLanes}), when the wide rows would compute at least 1.2 times
     * as many outputs. That form needs the filters transposed (f x c*kh*kw floats per call) and its
     * result transposed back; LeNet-5's second layer (16 filters, 14 x 14 in, 144 wide columns
     * for 100 outputs): 7-10 us against 16-18 us per image for the product alone.
     */
    static boolean byPositions(int f, int oh, int ow, int wp, int kw) {
        return f % ConvGemmVector.FILTER_BLOCK == 0
                && 5L * wholeStrips(wideCols(oh, wp, kw)) >= 6L * wholePositions(oh * ow);
    }

    /** Output positions rounded up to whole passes of {@link ConvGemmVector#filtersAsLanes}. */
    private static int wholePositions(int n) { return (n + 5) / 6 * 6; }

    /** Floats of scratch for an input gradient (either form). */
    static long gradInputScratch(int c, int h, int w, int f, int kh, int kw, int pt, int pl, int pb, int pr) {
        int oh = h + pt + pb - kh + 1, ow = w + pl + pr - kw + 1;
        int hq = oh + 2 * (kh - 1) - pt - pb, wq = ow + 2 * (kw - 1) - pl - pr;
        long full = (long) c * f * kh * kw + MAX_PARTS * ((long) f * hq * wq + (long) c * wholeStrips(wideCols(h, wq, kw)));
        int hp = h + pt + pb, wp = w + pl + pr;
        long taps = MAX_PARTS * ((long) c * hp * wp + (long) f * wideCols(oh, wp, kw));
        return Math.max(full, taps);
    }

    /** Floats of scratch for a weight gradient (any form, see {@link #filtersAsColumns}). */
    static long gradWeightScratch(int c, int h, int w, int f, int kh, int kw, int pt, int pl, int pb, int pr) {
        int hp = h + pt + pb, wp = w + pl + pr, oh = hp - kh + 1, fp = paddedFilters(f), cols = wideCols(oh, wp, kw);
        return (long) IMAGE_GROUPS * wholePositions(c * kh * kw) * fp + MAX_PARTS * ((long) c * hp * wp + (long) cols * fp);
    }

    /**
     * The weight gradient's forms. With 16 filters or more, a product whose columns are the
     * filters (dw^T, no lane sums: one chain of fused multiply-adds per weight over a group of
     * images): over the valid output positions only when the filters fill whole blocks of
     * vectors ({@link #gradWeightByPositions}), else over wide rows with dy zero in the extra
     * columns. With fewer, that product has too few columns to keep the FMA units busy, so each
     * weight is a dot product of a filter's wide dy row with a tap's window of the image, one
     * lane sum per image (LeNet-5's first layer, 6 filters).
     */
    private static boolean filtersAsColumns(int f) { return f >= 16; }

    /**
     * Whether the weight gradient's product runs over the valid output positions
     * ({@link ConvGemmVector#filtersAsLanes}: taps as rows, dy transposed as the filters), which
     * skips the wide rows' kw - 1 zero columns per output row (LeNet-5's second layer: 100 products
     * per weight and image instead of 136).
     */
    static boolean gradWeightByPositions(int f) {
        return filtersAsColumns(f) && paddedFilters(f) % ConvGemmVector.FILTER_BLOCK == 0;
    }

    /** Wide output positions: oh rows wp apart, the last one only its valid ow = wp - kw + 1 columns. */
    private static int wideCols(int oh, int wp, int kw) { return (oh - 1) * wp + wp - kw + 1; }

    /**
     * Wide rows rounded up to whole strips of the product (16 floats): the product then needs
     * no masked stores (slow on AVX2); the columns past the last are computed and dropped.
     */
    private static int wholeStrips(int cols) { return (cols + 15) / 16 * 16; }

    /** Filters rounded up to whole vectors: the columns of dw^T. */
    private static int paddedFilters(int f) { return (f + 7) / 8 * 8; }

    private Step step;
    private float[] t;
    private RunContext ctx;
    private int n, c, h, w, f, kh, kw, pt, pl, pb, pr, oh, ow;
    private int src, wOff, dst, scratch;
    // the forward epilogue (see EpilogueOps.run)
    private int bias, res, act, pre;
    private boolean resAfter;
    private float alpha;
    // per call: the padded input (hp x wp planes), the wide output, the kernel's matrices
    private int hp, wp, planes, cols, ldc, part0, partSize, filterRowOff, kRows;
    /** The weight gradient's groups of images, each summed on its own. */
    private int imageGroups;
    private int[] aRows = new int[0], bRows = new int[0];
    /** The output positions in the padded image, for the forms by positions; in the forward, 0 past the last. */
    private int[] positions = new int[0];

    /**
     * Sets the convolution one of {@link #forward}, {@link #gradInput}, {@link #gradWeight} then
     * computes; each drops the arena reference when done (so that a closed model's arena can be
     * collected).
     */
    DirectConv geometry(RunContext ctx, float[] t, int n, int c, int h, int w, int f, int kh, int kw, int pt, int pl, int pb, int pr) {
        this.ctx = ctx; this.t = t; this.n = n; this.c = c; this.h = h; this.w = w; this.f = f; this.kh = kh; this.kw = kw;
        this.pt = pt; this.pl = pl; this.pb = pb; this.pr = pr;
        this.oh = h + pt + pb - kh + 1; this.ow = w + pl + pr - kw + 1;
        return this;
    }

    /** y = conv(x, w) with the epilogue (see {@link LinearOps#conv2dEpilogue}). */
    void forward(int xOff, int wOff, int scratch, int bias, int res, boolean resAfter, int act, float alpha, int pre, int out) {
        this.step = Step.FORWARD;
        this.src = xOff; this.wOff = wOff; this.scratch = scratch; this.dst = out;
        this.bias = bias; this.res = res; this.resAfter = resAfter; this.act = act; this.alpha = alpha; this.pre = pre;
        int hp = h + pt + pb, wp = w + pl + pr, kk = c * kh * kw;
        if (byPositions(f, oh, ow, wp, kw)) {
            this.step = Step.FORWARD_BY_POSITIONS;
            layout(c, h, w, pt, pl, pb, pr, kh, kw, f, f * kk);
            int npos = oh * ow, whole = wholePositions(npos);
            partSize = c * hp * wp + f * (whole + npos);
            if (positions.length < whole) positions = new int[whole];
            for (int y = 0, s = 0; y < oh; y++)
                for (int z = 0; z < ow; z++, s++) positions[s] = y * wp + z;
            java.util.Arrays.fill(positions, npos, whole, 0); // computed and dropped
            // the filters transposed, a block of FILTER_BLOCK at a time: [block][tap][filter in block]
            int fb = ConvGemmVector.FILTER_BLOCK;
            for (int o = 0; o < f; o++) {
                int from = wOff + o * kk, to = scratch + (o / fb) * kk * fb + o % fb;
                for (int p = 0; p < kk; p++) t[to + p * fb] = t[from + p];
            }
        } else {
            // the image padded by the convolution's padding; filter rows are rows of w
            layout(c, h, w, pt, pl, pb, pr, kh, kw, f, 0);
            for (int i = 0; i < f; i++) aRows[i] = i * kk;
        }
        splitImages();
        release();
    }

    /**
     * dx from dy and w (every float of dx written): as a full correlation (see
     * {@link #fullCorrelation}) or tap by tap: for each filter tap (ky, kx), the padded dx
     * shifted by ky*wp + kx gets w[:, :, ky, kx]^T dy_wide added, dy_wide zero in the extra
     * columns (so they add zeros); each dx float is one chain of fused multiply-adds, taps in
     * order, filters within a tap.
     */
    void gradInput(int dyOff, int wOff, int dxOff, int scratch) {
        if (!fullCorrelation(1, c, h, w, f, kh, kw, 1, 1, pt, pl, pb, pr)) {
            this.step = Step.GRAD_INPUT_BY_TAPS;
            this.src = dyOff; this.wOff = wOff; this.scratch = scratch; this.dst = dxOff;
            hp = h + pt + pb; wp = w + pl + pr; planes = c;
            cols = wideCols(oh, wp, kw);
            part0 = scratch;
            partSize = c * hp * wp + f * cols;
            kRows = f;
            grow(c, f);
            for (int ch = 0; ch < c; ch++) aRows[ch] = ch * kh * kw;  // w[o, ch, ky, kx]: ch's row, o's column c*kh*kw apart
            for (int o = 0; o < f; o++) bRows[o] = o * cols;          // dy_wide's rows
            splitImages();
            release();
            return;
        }
        this.step = Step.GRAD_INPUT;
        this.src = dyOff; this.wOff = wOff; this.scratch = scratch; this.dst = dxOff;
        int kk = kh * kw, flipped = scratch;
        // w'[ch, o, a, b] = w[o, ch, kh-1-a, kw-1-b]: rows of the input gradient's filters
        for (int ch = 0; ch < c; ch++)
            for (int o = 0; o < f; o++)
                for (int a = 0; a < kh; a++)
                    for (int b = 0; b < kw; b++)
                        t[flipped + (ch * f + o) * kk + a * kw + b] = t[wOff + (o * c + ch) * kk + (kh - 1 - a) * kw + (kw - 1 - b)];
        layout(f, oh, ow, kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr, kh, kw, c, c * f * kk);
        for (int i = 0; i < c; i++) aRows[i] = i * f * kk;
        splitImages();
        release();
    }

    /** dw from dy and x. */
    void gradWeight(int dyOff, int xOff, int dwOff, int scratch) {
        this.step = Step.GRAD_WEIGHT;
        this.src = xOff; this.wOff = dyOff; this.scratch = scratch; this.dst = dwOff;
        int kk = c * kh * kw, fp = paddedFilters(f), taps = wholePositions(kk);
        hp = h + pt + pb; wp = w + pl + pr; planes = c;
        cols = wideCols(oh, wp, kw);
        kRows = kk;
        part0 = scratch + IMAGE_GROUPS * taps * fp;
        partSize = c * hp * wp + cols * (filtersAsColumns(f) ? fp : f);
        grow(taps, Math.max(kk, cols));
        // dw^T's rows are the taps: tap p = (ch, a, b) reads the padded image from ch*hp*wp + a*wp + b
        for (int ch = 0, p = 0; ch < c; ch++)
            for (int a = 0; a < kh; a++)
                for (int b = 0; b < kw; b++, p++) aRows[p] = ch * hp * wp + a * wp + b;
        java.util.Arrays.fill(aRows, kk, taps, 0); // rows computed and dropped (by positions)
        for (int s = 0; s < cols; s++) bRows[s] = s * fp;
        if (gradWeightByPositions(f)) {
            if (positions.length < oh * ow) positions = new int[oh * ow];
            for (int y = 0, s = 0; y < oh; y++)
                for (int z = 0; z < ow; z++, s++) positions[s] = y * wp + z;
        }
        KernelThreads team = ctx.threads;
        boolean small = (long) f * kk * oh * ow * n < BatchedConvSplit.MIN_SPLIT_MACS;
        imageGroups = Math.min(IMAGE_GROUPS, n);
        if (team != null && !small) team.run(this, imageGroups, MAX_PARTS);
        else for (int g = 0; g < imageGroups; g++) run(g, imageGroups, 0);
        // the groups' sums, added in group order; dw[o, p] is dw^T[p, o] in the product form
        int sums = taps * fp;
        for (int o = 0; o < f; o++)
            for (int p = 0; p < kk; p++) {
                int at = filtersAsColumns(f) ? p * fp + o : o * kk + p;
                float sum = t[scratch + at];
                for (int g = 1; g < imageGroups; g++) sum += t[scratch + g * sums + at];
                t[dwOff + o * kk + p] = sum;
            }
        release();
    }

    /**
     * The forward-shaped steps: the input is {@code inC} planes of inH x inW padded by the given
     * amounts, the product has {@code outC} rows; {@code shared} floats of scratch come first.
     */
    private void layout(int inC, int inH, int inW, int qt, int ql, int qb, int qr, int kh, int kw, int outC, int shared) {
        hp = inH + qt + qb; wp = inW + ql + qr; planes = inC;
        int outH = hp - kh + 1;
        cols = wideCols(outH, wp, kw);
        ldc = wholeStrips(cols);
        part0 = scratch + shared;
        partSize = inC * hp * wp + outC * ldc;
        kRows = inC * kh * kw;
        grow(outC, kRows);
        for (int ch = 0, p = 0; ch < inC; ch++)
            for (int a = 0; a < kh; a++)
                for (int b = 0; b < kw; b++, p++) bRows[p] = ch * hp * wp + a * wp + b;
        filterRowOff = shared == 0 ? wOff : scratch;
    }

    private void grow(int a, int b) {
        if (aRows.length < a) aRows = new int[a];
        if (bRows.length < b) bRows = new int[b];
    }

    private void splitImages() {
        KernelThreads team = ctx.threads;
        if (team != null && n > 1 && (long) f * c * kh * kw * oh * ow * n >= BatchedConvSplit.MIN_SPLIT_MACS)
            team.run(this, Math.min(n, IMAGE_CHUNKS), MAX_PARTS);
        else run(0, 1, 0);
    }

    /** Drops the arena reference, so that a closed model's arena can be collected. */
    private void release() { t = null; ctx = null; }

    /**
     * Chunk {@code chunk} of {@code chunks}: that share of the images (the forward and the input
     * gradient) or that group of images (the weight gradient), in scratch region {@code slot}.
     */
    @Override public void run(int chunk, int chunks, int slot) {
        int region = part0 + slot * partSize;
        switch (step) {
            case FORWARD -> {
                int padded = region, wide = region + c * hp * wp, kk = c * kh * kw;
                clearBorders(padded, c, h, w, pt, pl);
                for (int i = n * chunk / chunks, last = n * (chunk + 1) / chunks; i < last; i++) {
                    int x = pad(src + i * c * h * w, padded, c, h, w, pt, pl);
                    ConvGemmVector.nn(f, columns(x), kk, t, filterRowOff, aRows, 1, x, bRows, wide, ldc, false);
                    for (int o = 0; o < f; o++)
                        for (int y = 0; y < oh; y++) {
                            int at = ((i * f + o) * oh + y) * ow;
                            EpilogueOps.run(t, wide + o * ldc + y * wp, ow, bias < 0 ? -1 : bias + o, 0, res < 0 ? -1 : res + at,
                                    resAfter, act, alpha, pre < 0 ? -1 : pre + at, dst + at);
                        }
                }
            }
            case FORWARD_BY_POSITIONS -> {
                int npos = oh * ow, whole = wholePositions(npos), kk = c * kh * kw;
                int padded = region, tile = region + c * hp * wp, planes = tile + whole * f;
                clearBorders(padded, c, h, w, pt, pl);
                for (int i = n * chunk / chunks, last = n * (chunk + 1) / chunks; i < last; i++) {
                    int x = pad(src + i * c * h * w, padded, c, h, w, pt, pl);
                    ConvGemmVector.filtersAsLanes(whole, f, kk, t, x, positions, bRows, scratch, tile, false);
                    for (int s = 0; s < npos; s++)
                        for (int o = 0; o < f; o++) t[planes + o * npos + s] = t[tile + s * f + o];
                    for (int o = 0; o < f; o++) {
                        int at = (i * f + o) * npos; // a whole NCHW plane: the valid positions are contiguous
                        EpilogueOps.run(t, planes + o * npos, npos, bias < 0 ? -1 : bias + o, 0, res < 0 ? -1 : res + at,
                                resAfter, act, alpha, pre < 0 ? -1 : pre + at, dst + at);
                    }
                }
            }
            case GRAD_INPUT -> {
                int qt = kh - 1 - pt, ql = kw - 1 - pl, padded = region, wide = region + f * hp * wp, kk = f * kh * kw;
                clearBorders(padded, f, oh, ow, qt, ql);
                for (int i = n * chunk / chunks, last = n * (chunk + 1) / chunks; i < last; i++) {
                    int dy = pad(src + i * f * oh * ow, padded, f, oh, ow, qt, ql);
                    ConvGemmVector.nn(c, columns(dy), kk, t, filterRowOff, aRows, 1, dy, bRows, wide, ldc, false);
                    for (int ch = 0; ch < c; ch++)
                        for (int y = 0; y < h; y++)
                            System.arraycopy(t, wide + ch * ldc + y * wp, t, dst + ((i * c + ch) * h + y) * w, w);
                }
            }
            case GRAD_INPUT_BY_TAPS -> {
                int plane = hp * wp, dyw = region + c * plane, inPlace = hp == h && wp == w ? 1 : 0;
                java.util.Arrays.fill(t, dyw, dyw + f * cols, 0f); // the extra columns stay zero
                for (int i = n * chunk / chunks, last = n * (chunk + 1) / chunks; i < last; i++) {
                    int dx = inPlace == 1 ? dst + i * c * h * w : region;
                    java.util.Arrays.fill(t, dx, dx + c * plane, 0f);
                    for (int o = 0; o < f; o++)
                        for (int y = 0; y < oh; y++)
                            System.arraycopy(t, src + ((i * f + o) * oh + y) * ow, t, dyw + o * cols + y * wp, ow);
                    for (int a = 0; a < kh; a++)
                        for (int b = 0; b < kw; b++)
                            ConvGemmVector.nn(c, cols, f, t, wOff + a * kw + b, aRows, c * kh * kw, dyw, bRows,
                                    dx + a * wp + b, plane, true);
                    if (inPlace == 1) continue;
                    for (int ch = 0; ch < c; ch++)
                        for (int y = 0; y < h; y++)
                            System.arraycopy(t, dx + ch * plane + (y + pt) * wp + pl, t, dst + ((i * c + ch) * h + y) * w, w);
                }
            }
            case GRAD_WEIGHT -> {
                // each group of images gets its own sum: dw^T [taps][fp] (product forms) or dw [f][kk]
                int kk = kRows, fp = paddedFilters(f), taps = wholePositions(kk), padded = region, dyT = region + c * hp * wp;
                int npos = oh * ow, fb = ConvGemmVector.FILTER_BLOCK;
                boolean byPositions = gradWeightByPositions(f);
                clearBorders(padded, c, h, w, pt, pl);
                // dy_wide, zero in the extra columns (and, as dy_wide^T [s][fp], the padded filters)
                if (!byPositions) java.util.Arrays.fill(t, dyT, dyT + cols * (filtersAsColumns(f) ? fp : f), 0f);
                int sum = scratch + chunk * taps * fp, first = n * chunk / imageGroups; // this group's sum
                for (int i = first, last = n * (chunk + 1) / imageGroups; i < last; i++) {
                    int x = pad(src + i * c * h * w, padded, c, h, w, pt, pl);
                    if (byPositions) {
                        // dy transposed, a block of fb filters at a time: [block][position][filter in block]
                        int dy = wOff + i * f * npos;
                        for (int o = 0; o < f; o++) {
                            int from = dy + o * npos, to = dyT + (o / fb) * npos * fb + o % fb;
                            for (int s = 0; s < npos; s++) t[to + s * fb] = t[from + s];
                        }
                        ConvGemmVector.filtersAsLanes(taps, fp, npos, t, x, aRows, positions, dyT, sum, i > first);
                    } else if (filtersAsColumns(f)) {
                        int dy = wOff + i * f * oh * ow;
                        for (int y = 0; y < oh; y++)
                            for (int z = 0; z < ow; z++) {
                                int s = dyT + (y * wp + z) * fp;
                                for (int o = 0; o < f; o++) t[s + o] = t[dy + (o * oh + y) * ow + z];
                            }
                        ConvGemmVector.nn(kk, fp, cols, t, x, aRows, 1, dyT, bRows, sum, fp, i > first);
                    } else {
                        for (int o = 0; o < f; o++)
                            for (int y = 0; y < oh; y++)
                                System.arraycopy(t, wOff + ((i * f + o) * oh + y) * ow, t, dyT + o * cols + y * wp, ow);
                        ConvGemmVector.nt(f, kk, cols, t, dyT, cols, x, aRows, sum, kk, i > first);
                    }
                }
            }
        }
    }

    /** Columns of the product to compute: whole strips when their reads stay inside the arena. */
    private int columns(int image) {
        return image + bRows[kRows - 1] + ldc <= t.length ? ldc : cols;
    }

    /**
     * Where the kernel reads image {@code from}: in place when there is no padding, else copied
     * into {@code padded} (whose borders {@link #clearBorders} zeroed).
     */
    private int pad(int from, int padded, int ch, int ih, int iw, int top, int left) {
        if (hp == ih && wp == iw) return from;
        for (int p = 0; p < ch; p++)
            for (int y = 0; y < ih; y++)
                System.arraycopy(t, from + (p * ih + y) * iw, t, padded + (p * hp + y + top) * wp + left, iw);
        return padded;
    }

    /** Zeroes the padded planes once per call: the interior is overwritten per image, the borders stay zero. */
    private void clearBorders(int padded, int ch, int ih, int iw, int top, int left) {
        if (hp == ih && wp == iw) return;
        java.util.Arrays.fill(t, padded, padded + ch * hp * wp, 0f);
    }
}
