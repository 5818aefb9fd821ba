package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dlm.ir.Graph;
import dlm.ir.text.IrParser;
import dlm.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

class CommonSubexpressionEliminationTest {
    @Test void mergesSameOpSameInputsSameTypeOnly() {
        Graph before = IrParser.parse("""
                graph t {
                  %0 = input(name="x") : f32[N, 3]
                  %1 = input(name="y") : f32[N, 3]
                  %2 = fill(value=2.0) : f32[]
                  %3 = fill(value=2.0) : f32[]
                  %4 = fill(value=2.0) : f32[3]
                  %5 = binary(%0, %2, fn=mul)
                  %6 = binary(%0, %3, fn=mul)
                  %7 = binary(%0, %4, fn=mul)
                  %8 = binary(%5, %6, fn=add)
                  %9 = binary(%0, %1, fn=sub)
                  %10 = binary(%1, %0, fn=sub)
                  %11 = unary(%0, fn=leaky_relu, alpha=0.1)
                  %12 = unary(%0, fn=leaky_relu, alpha=0.2)
                  %13 = unary(%0, fn=leaky_relu, alpha=0.1)
                  %14 = dropout_mask(%0, rate=0.5)
                  %15 = dropout_mask(%0, rate=0.5)
                  %16 = binary(%14, %15, fn=sub)
                  %17 = fill(value=-0.0) : f32[]
                  %18 = fill(value=0.0) : f32[]
                  %19 = binary(%17, %18, fn=div)
                  output a = %8
                  output b = %7
                  output c = %9
                  output d = %10
                  output e = %11
                  output f = %12
                  output g = %13
                  output masks = %16
                  output nan = %19
                }
                """);
        Graph after = new CommonSubexpressionElimination().run(before);
        // the two scalar 2.0 fills merge, and so do the products with them; the [3] fill does not;
        // operand order and attributes matter; two dropout masks are two draws
        assertEquals("""
                graph t {
                  %0 = input(name="x") : f32[N, 3]
                  %1 = input(name="y") : f32[N, 3]
                  %2 = fill(value=2.0) : f32[]
                  %3 = fill(value=2.0) : f32[3]
                  %4 = binary(%0, %2, fn=mul) : f32[N, 3]
                  %5 = binary(%0, %3, fn=mul) : f32[N, 3]
                  %6 = binary(%4, %4, fn=add) : f32[N, 3]
                  %7 = binary(%0, %1, fn=sub) : f32[N, 3]
                  %8 = binary(%1, %0, fn=sub) : f32[N, 3]
                  %9 = unary(%0, fn=leaky_relu, alpha=0.1) : f32[N, 3]
                  %10 = unary(%0, fn=leaky_relu, alpha=0.2) : f32[N, 3]
                  %11 = dropout_mask(%0, rate=0.5) : f32[N, 3]
                  %12 = dropout_mask(%0, rate=0.5) : f32[N, 3]
                  %13 = binary(%11, %12, fn=sub) : f32[N, 3]
                  %14 = fill(value=-0.0) : f32[]
                  %15 = fill(value=0.0) : f32[]
                  %16 = binary(%14, %15, fn=div) : f32[]
                  output a = %6
                  output b = %5
                  output c = %7
                  output d = %8
                  output e = %9
                  output f = %10
                  output g = %9
                  output masks = %13
                  output nan = %16
                }
                """, IrPrinter.print(after));
        SameResults.assertSame(before, after, 5);
    }
}
