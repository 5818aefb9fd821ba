package dlm.ir;

import java.util.List;

/** One operation in a graph: {@code out = op(inputs)}. */
public record Node(Value out, Op op, List<Value> inputs) {
    public Node { inputs = List.copyOf(inputs); }
    public Value input(int i) { return inputs.get(i); }
}
