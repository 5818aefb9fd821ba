package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dlm.ir.Graph;
import dlm.ir.text.IrParser;
import dlm.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

class AlgebraicSimplificationTest {
    static final String BEFORE = """
            graph t {
              %0 = input(name="x") : f32[N, 2, 3]
              %1 = fill(value=1.0) : f32[]
              %2 = fill(value=0.0) : f32[]
              %3 = binary(%0, %1, fn=mul)
              %4 = binary(%1, %3, fn=mul)
              %5 = binary(%4, %2, fn=add)
              %6 = binary(%2, %5, fn=add)
              %7 = binary(%6, %2, fn=sub)
              %8 = binary(%7, %1, fn=div)
              %9 = binary(%8, %2, fn=mul)
              %10 = binary(%2, %8, fn=sub)
              %11 = param(name="p", kind=weight, init=ones, fan_in=0) : f32[3]
              %12 = fill(value=1.0) : f32[2, 3]
              %13 = binary(%11, %12, fn=mul)
              %14 = reshape(%0, dims=[-1, 6])
              %15 = reshape(%14, dims=[-1, 3, 2])
              %16 = reshape(%15, dims=[-1, 2, 3])
              %17 = transpose(%0, perm=[0, 2, 1])
              %18 = transpose(%17, perm=[0, 2, 1])
              %19 = param(name="q", kind=weight, init=ones, fan_in=0) : f32[2, 3, 4]
              %20 = transpose(%19, perm=[1, 2, 0])
              %21 = transpose(%20, perm=[1, 2, 0])
              %22 = unary(%0, fn=neg, alpha=0.0)
              %23 = unary(%22, fn=neg, alpha=0.0)
              %24 = unary(%23, fn=neg, alpha=0.0)
              %25 = unary(%24, fn=identity, alpha=0.0)
              output a = %8
              output zero = %9
              output sub = %10
              output bcast = %13
              output r = %16
              output r2 = %15
              output t = %18
              output t2 = %21
              output n = %25
            }
            """;

    @Test void identitiesGoAwayAndBroadcastingStays() {
        Graph before = IrParser.parse(BEFORE);
        Graph after = new AlgebraicSimplification().run(before);
        // %8 (x*1, 1*x, +0, 0+, -0, /1) is x; x*0 and 0-x stay; p*ones[2,3] broadcasts, so it stays;
        // three reshapes end where they began; the transposes of q compose to [2, 0, 1]
        assertEquals("""
                graph t {
                  %0 = input(name="x") : f32[N, 2, 3]
                  %1 = fill(value=1.0) : f32[]
                  %2 = fill(value=0.0) : f32[]
                  %3 = binary(%0, %2, fn=mul) : f32[N, 2, 3]
                  %4 = binary(%2, %0, fn=sub) : f32[N, 2, 3]
                  %5 = param(name="p", kind=weight, init=ones, fan_in=0) : f32[3]
                  %6 = fill(value=1.0) : f32[2, 3]
                  %7 = binary(%5, %6, fn=mul) : f32[2, 3]
                  %8 = reshape(%0, dims=[-1, 6]) : f32[N, 6]
                  %9 = reshape(%0, dims=[-1, 3, 2]) : f32[N, 3, 2]
                  %10 = transpose(%0, perm=[0, 2, 1]) : f32[N, 3, 2]
                  %11 = param(name="q", kind=weight, init=ones, fan_in=0) : f32[2, 3, 4]
                  %12 = transpose(%11, perm=[1, 2, 0]) : f32[3, 4, 2]
                  %13 = transpose(%11, perm=[2, 0, 1]) : f32[4, 2, 3]
                  %14 = unary(%0, fn=neg, alpha=0.0) : f32[N, 2, 3]
                  %15 = unary(%0, fn=neg, alpha=0.0) : f32[N, 2, 3]
                  output a = %0
                  output zero = %3
                  output sub = %4
                  output bcast = %7
                  output r = %0
                  output r2 = %9
                  output t = %0
                  output t2 = %13
                  output n = %15
                }
                """, IrPrinter.print(after));
        SameResults.assertSame(before, after, 3);
    }

    @Test void xTimesZeroKeepsNaN() {
        Graph before = IrParser.parse("""
                graph t {
                  %0 = input(name="x") : f32[N, 2]
                  %1 = fill(value=0.0) : f32[]
                  %2 = unary(%0, fn=log, alpha=0.0)
                  %3 = binary(%2, %1, fn=mul)
                  output y = %3
                }
                """);
        Graph after = new AlgebraicSimplification().run(before);
        assertEquals(IrPrinter.print(before), IrPrinter.print(after));
        SameResults.assertSame(before, after, 4); // log of negative inputs: NaN * 0 is NaN on both sides
    }
}
