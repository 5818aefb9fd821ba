package dlm.runtime.io;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test
    void parsesTheValuesSafetensorsUses() {
        Object v = Json.parse(" {\"a\": {\"dtype\":\"F32\", \"shape\":[2, 3], \"data_offsets\":[0,24]},"
                + " \"s\":\"x\\\"y\\u0041\\n\", \"t\":true, \"f\":false, \"n\":null, \"d\":-1.5e2} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "s", "t", "f", "n", "d"), List.copyOf(m.keySet()), "key order is kept");
        Map<?, ?> a = (Map<?, ?>) m.get("a");
        assertEquals(List.of(2L, 3L), a.get("shape"));
        assertEquals("x\"yA\n", m.get("s"));
        assertEquals(true, m.get("t"));
        assertNull(m.get("n"));
        assertEquals(-150.0, m.get("d"));
        assertEquals(List.of(), Json.parse("[]"));
        assertEquals(Map.of(), Json.parse("{}"));
    }

    @Test
    void errorsCarryTheOffset() {
        assertEquals(6, assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1")).offset);
        assertEquals(5, assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\" 1}")).offset);
        assertEquals(3, assertThrows(Json.JsonException.class, () -> Json.parse("[1,]")).offset);
        assertEquals(3, assertThrows(Json.JsonException.class, () -> Json.parse("{} x")).offset);
        assertThrows(Json.JsonException.class, () -> Json.parse("\"abc"));
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertThrows(Json.JsonException.class, () -> Json.parse("[".repeat(1000)));
        assertThrows(Json.JsonException.class, () -> Json.parse("1.2.3"));
    }

    @Test
    void writesAndReadsBack() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", "q\"\\\n\u0001");
        m.put("shape", new int[]{1, 2});
        m.put("list", List.of(1L, 2.5, true));
        m.put("null", null);
        String s = Json.write(m);
        assertEquals("{\"name\":\"q\\\"\\\\\\n\\u0001\",\"shape\":[1,2],\"list\":[1,2.5,true],\"null\":null}", s);
        Map<?, ?> back = (Map<?, ?>) Json.parse(s);
        assertEquals(m.get("name"), back.get("name"));
        assertEquals(List.of(1L, 2L), back.get("shape"));
    }
}
