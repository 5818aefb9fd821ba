package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dlm.ir.Graph;
import dlm.ir.text.IrParser;
import dlm.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

class ConstantFoldingTest {
    static final String BEFORE = """
            graph t {
              %0 = input(name="x") : f32[N, 3]
              %1 = fill(value=0.9) : f32[]
              %2 = fill(value=2.0) : f32[3]
              %3 = binary(%1, %2, fn=mul)
              %4 = unary(%3, fn=neg, alpha=0.0)
              %5 = binary(%0, %4, fn=add)
              %6 = fill(value=0.0) : f32[N, 3]
              %7 = unary(%6, fn=exp, alpha=0.0)
              %8 = reduce(%2, fn=sum, axes=[0], keep_dims=false)
              %9 = reduce(%6, fn=sum, axes=[0, 1], keep_dims=false)
              %10 = fill(value=1.0) : f32[4]
              %11 = softmax(%10, axis=0)
              %12 = dropout_mask(%6, rate=0.5)
              %13 = concat(%2, %3, axis=0)
              %14 = reshape(%3, dims=[3, 1])
              %15 = binary(%5, %7, fn=mul)
              %16 = fill(value=0.1) : f32[3]
              %17 = reduce(%16, fn=sum, axes=[0], keep_dims=false)
              output y = %15
              output s = %8
              output z = %9
              output p = %11
              output m = %12
              output c = %13
              output r = %14
              output inexact = %17
            }
            """;

    @Test void foldsUniformResultsOnly() {
        Graph before = IrParser.parse(BEFORE);
        Graph after = new ConstantFolding().run(before);
        // the sum of three 0.1 is what the interpreter's loop gives, not 3 * 0.1
        double inexact = 0.1 + 0.1 + 0.1;
        assertEquals("""
                graph t {
                  %0 = input(name="x") : f32[N, 3]
                  %1 = fill(value=0.9) : f32[]
                  %2 = fill(value=2.0) : f32[3]
                  %3 = fill(value=1.8) : f32[3]
                  %4 = fill(value=-1.8) : f32[3]
                  %5 = binary(%0, %4, fn=add) : f32[N, 3]
                  %6 = fill(value=0.0) : f32[N, 3]
                  %7 = fill(value=1.0) : f32[N, 3]
                  %8 = fill(value=6.0) : f32[]
                  %9 = reduce(%6, fn=sum, axes=[0, 1], keep_dims=false) : f32[]
                  %10 = fill(value=1.0) : f32[4]
                  %11 = fill(value=0.25) : f32[4]
                  %12 = dropout_mask(%6, rate=0.5) : f32[N, 3]
                  %13 = concat(%2, %3, axis=0) : f32[6]
                  %14 = fill(value=1.8) : f32[3, 1]
                  %15 = binary(%5, %7, fn=mul) : f32[N, 3]
                  %16 = fill(value=0.1) : f32[3]
                  %17 = fill(value=%s) : f32[]
                  output y = %15
                  output s = %8
                  output z = %9
                  output p = %11
                  output m = %12
                  output c = %13
                  output r = %14
                  output inexact = %17
                }
                """.replace("value=%s", "value=" + inexact), IrPrinter.print(after));
        SameResults.assertSame(before, after, 1);
    }

    @Test void aNonUniformResultIsNotFolded() {
        // one_hot of uniform ids is not uniform; a sum over the batch axis depends on the batch size
        Graph before = IrParser.parse("""
                graph t {
                  %0 = fill(value=1.0) : i32[4]
                  %1 = one_hot(%0, classes=3)
                  %2 = fill(value=0.5) : f32[N, 2]
                  %3 = reduce(%2, fn=mean, axes=[0], keep_dims=false)
                  output h = %1
                  output m = %3
                }
                """);
        Graph after = new ConstantFolding().run(before);
        assertEquals(IrPrinter.print(before), IrPrinter.print(after));
        SameResults.assertSame(before, after, 2);
    }
}
