package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dlm.ir.Graph;
import dlm.ir.text.IrParser;
import dlm.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

class DeadCodeEliminationTest {
    @Test void removesWhatNoOutputOrUpdateNeedsButKeepsTheSignatureAndState() {
        Graph before = IrParser.parse("""
                graph t {
                  %0 = input(name="x") : f32[N, 3]
                  %1 = target(name="y") : f32[N, 3]
                  %2 = param(name="w", kind=weight, init=ones, fan_in=0) : f32[3]
                  %3 = param(name="unused", kind=buffer, init=zeros, fan_in=0) : f32[3]
                  %4 = fill(value=1.0) : f32[]
                  %5 = binary(%0, %2, fn=mul)
                  %6 = unary(%5, fn=exp, alpha=0.0)
                  %7 = unary(%6, fn=log, alpha=0.0)
                  %8 = fill(value=0.5) : f32[]
                  %9 = binary(%2, %8, fn=mul)
                  %10 = dropout_mask(%0, rate=0.5)
                  %11 = binary(%7, %10, fn=mul)
                  output y = %5
                  update w = %9
                }
                """);
        Graph after = new DeadCodeElimination().run(before);
        assertEquals("""
                graph t {
                  %0 = input(name="x") : f32[N, 3]
                  %1 = target(name="y") : f32[N, 3]
                  %2 = param(name="w", kind=weight, init=ones, fan_in=0) : f32[3]
                  %3 = param(name="unused", kind=buffer, init=zeros, fan_in=0) : f32[3]
                  %4 = binary(%0, %2, fn=mul) : f32[N, 3]
                  %5 = fill(value=0.5) : f32[]
                  %6 = binary(%2, %5, fn=mul) : f32[3]
                  output y = %4
                  update w = %6
                }
                """, IrPrinter.print(after));
        SameResults.assertSame(before, after, 6);
    }
}
