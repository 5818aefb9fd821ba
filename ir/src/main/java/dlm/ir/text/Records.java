package dlm.ir.text;

import dlm.ir.Op;
import dlm.ir.TrainSpec;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reflection over the op and optimizer records, so that the text format follows Op.java with
 * no per-op code: an op's name is its snake_case record name, its attributes its components.
 */
final class Records {
    private Records() {}

    /** Every concrete op record by op name, found through the sealed hierarchy. */
    static final Map<String, Class<?>> OPS = sealedRecords(Op.class);
    /** Every optimizer record by name (sgd, adam). */
    static final Map<String, Class<?>> OPTIMIZERS = sealedRecords(TrainSpec.Optimizer.class);

    private static Map<String, Class<?>> sealedRecords(Class<?> root) {
        Map<String, Class<?>> out = new LinkedHashMap<>();
        collect(root, out);
        return out;
    }

    private static void collect(Class<?> c, Map<String, Class<?>> out) {
        if (c.isRecord()) { out.put(Op.snakeCase(c.getSimpleName()), c); return; }
        for (Class<?> sub : c.getPermittedSubclasses()) collect(sub, out);
    }

    static String attrName(RecordComponent rc) { return Op.snakeCase(rc.getName()); }

    static Object get(RecordComponent rc, Object record) {
        try {
            return rc.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + rc, e);
        }
    }

    static Object construct(Class<?> c, Object[] args) {
        Class<?>[] types = Arrays.stream(c.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<?> k = c.getDeclaredConstructor(types);
            return k.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + c.getSimpleName(), e);
        }
    }

    /** The element type of a List component. */
    static Class<?> elementType(RecordComponent rc) {
        if (rc.getGenericType() instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> e) return e;
        throw new IllegalStateException("unsupported list attribute " + rc);
    }

    /** One attribute value as text: ints, doubles (exact, Double.toString), booleans, strings, lists, enums in lower case. */
    static String format(Object v) {
        return switch (v) {
            case null -> "null";
            case Double d -> Double.toString(d);
            case Integer i -> i.toString();
            case Boolean b -> b.toString();
            case String s -> Lexer.quote(s);
            case Enum<?> e -> e.name().toLowerCase();
            case List<?> l -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) sb.append(i > 0 ? ", " : "").append(l.get(i) instanceof String s ? Lexer.nameOrQuoted(s) : format(l.get(i)));
                yield sb.append(']').toString();
            }
            default -> throw new IllegalStateException("unsupported attribute type " + v.getClass());
        };
    }

    /** "k1=v1, k2=v2" over a record's components. */
    static String formatAttrs(Object record) {
        StringBuilder sb = new StringBuilder();
        for (RecordComponent rc : record.getClass().getRecordComponents()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(attrName(rc)).append('=').append(format(get(rc, record)));
        }
        return sb.toString();
    }
}
