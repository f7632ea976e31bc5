package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link FlyweightHeaders} behaves like Netty's {@link DefaultHttpHeaders} on the {@link HttpHeaders} API: each case
 * applies the same changes to both, built from the same fields, and compares what an accessor returns.
 */
class FlyweightHeadersTest
{
    private static final String[][] FIELDS = {
        {"Host", "web.local:8080"},
        {"Connection", "keep-alive, Upgrade"},
        {"Content-Length", "42"},
        {"X-Multi", "a"},
        {"x-multi", "b"},
        {"Date", "Thu, 26 Nov 2026 08:00:00 GMT"},
        {"X-Empty", ""},
    };

    /** Fields decoded from bytes, as the codec builds them. */
    static FlyweightHeaders decoded()
    {
        final StringBuilder text = new StringBuilder();
        for (final String[] field : FIELDS)
        {
            text.append(field[0]).append(": ").append(field[1]).append("\r\n");
        }
        final byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        final FlyweightHeaders headers = new FlyweightHeaders();
        headers.wrap(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
        int pos = 0;
        for (final String[] field : FIELDS)
        {
            final int valueOffset = pos + field[0].length() + 2;
            headers.addBytes(pos, field[0].length(), valueOffset, field[1].length());
            pos = valueOffset + field[1].length() + 2;
        }
        return headers;
    }

    static DefaultHttpHeaders reference()
    {
        final DefaultHttpHeaders headers = new DefaultHttpHeaders();
        for (final String[] field : FIELDS)
        {
            headers.add(field[0], field[1]);
        }
        return headers;
    }

    static Stream<Arguments> cases()
    {
        final List<Arguments> cases = new ArrayList<>();
        final Consumer<HttpHeaders> none = h ->
        {
        };
        final Consumer<HttpHeaders> edits = h -> h.remove("x-MULTI").add(HttpHeaderNames.VIA, AsciiString.of("1.1 p"))
            .set("Connection", "close").addInt("X-N", 7).add("x-multi", List.of("c", "d"));
        for (final Consumer<HttpHeaders> change : List.of(none, edits))
        {
            final String when = change == none ? "as decoded: " : "after edits: ";
            cases.add(of(when + "get", change, h -> h.get("HOST")));
            cases.add(of(when + "get CharSequence", change, h -> h.get(HttpHeaderNames.HOST)));
            cases.add(of(when + "get absent", change, h -> h.get("nope")));
            cases.add(of(when + "get default", change, h -> h.get("nope", "d")));
            cases.add(of(when + "getAll", change, h -> h.getAll("x-multi")));
            cases.add(of(when + "getAllAsString", change, h -> h.getAllAsString(AsciiString.of("X-Multi"))));
            cases.add(of(when + "getInt", change, h -> h.getInt(HttpHeaderNames.CONTENT_LENGTH)));
            cases.add(of(when + "getInt not a number", change, h -> h.getInt("host", -1)));
            cases.add(of(when + "getShort", change, h -> h.getShort("content-length")));
            cases.add(of(when + "getTimeMillis", change, h -> h.getTimeMillis("date")));
            cases.add(of(when + "contains", change, h -> h.contains("x-empty")));
            cases.add(of(when + "contains CharSequence", change, h -> h.contains(HttpHeaderNames.CONNECTION)));
            cases.add(of(when + "contains value", change, h -> h.contains("connection", "KEEP-ALIVE, upgrade", true)));
            cases.add(of(when + "contains value exact case", change,
                h -> h.contains(HttpHeaderNames.CONNECTION, "KEEP-ALIVE, upgrade", false)));
            cases.add(of(when + "containsValue element", change,
                h -> h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)));
            cases.add(of(when + "containsValue close", change,
                h -> h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)));
            cases.add(of(when + "containsValue wrong case", change,
                h -> h.containsValue(HttpHeaderNames.CONNECTION, "UPGRADE", false)));
            cases.add(of(when + "size", change, HttpHeaders::size));
            cases.add(of(when + "isEmpty", change, HttpHeaders::isEmpty));
            cases.add(of(when + "entries", change, h -> lowerNames(h.entries())));
            cases.add(of(when + "iteratorAsString", change, h ->
            {
                final List<Map.Entry<String, String>> all = new ArrayList<>();
                h.iteratorAsString().forEachRemaining(all::add);
                return lowerNames(all);
            }));
            cases.add(of(when + "names", change, h -> h.names().stream().map(n -> n.toLowerCase(Locale.ROOT))
                .distinct().sorted().toList()));
            cases.add(of(when + "valueStringIterator", change, h ->
            {
                final List<String> all = new ArrayList<>();
                h.valueStringIterator("X-MULTI").forEachRemaining(all::add);
                return all;
            }));
            cases.add(of(when + "copy", change, h -> lowerNames(h.copy().entries())));
            cases.add(of(when + "copy is Netty's", change, h -> h.copy().getClass()));
            cases.add(of(when + "cleared", change, h -> h.clear().size()));
        }
        return cases.stream();
    }

    private static Arguments of(final String name, final Consumer<HttpHeaders> change,
        final Function<HttpHeaders, Object> accessor)
    {
        return Arguments.of(name, change, accessor);
    }

    private static List<String> lowerNames(final List<Map.Entry<String, String>> entries)
    {
        return entries.stream().map(e -> e.getKey().toLowerCase(Locale.ROOT) + "=" + e.getValue()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldAnswerAsDefaultHttpHeadersDoes(
        final String name, final Consumer<HttpHeaders> change, final Function<HttpHeaders, Object> accessor)
    {
        final HttpHeaders flyweight = decoded();
        final HttpHeaders netty = reference();
        change.accept(flyweight);
        change.accept(netty);
        assertThat(accessor.apply(flyweight)).isEqualTo(accessor.apply(netty));
    }

    @Test
    void shouldRefuseInvalidNamesAndValuesAsDefaultHttpHeadersDoes()
    {
        for (final HttpHeaders headers : List.of(decoded(), reference()))
        {
            assertThatThrownBy(() -> headers.add("bad name", "v")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> headers.set("x", "a\r\nInjected: 1")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> headers.set("x", (Object)null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void shouldOfferZeroAllocationAccessorsOverTheBytes()
    {
        final FlyweightHeaders headers = decoded();
        final int host = headers.indexOf(HttpHeaderNames.HOST, 0);
        assertThat(host).isZero();
        assertThat(headers.valueEquals(host, "WEB.local:8080", true)).isTrue();
        assertThat(headers.valueEquals(host, "WEB.local:8080", false)).isFalse();
        assertThat(headers.valueStartsWith(host, "web.")).isTrue();
        assertThat(headers.valueHashIgnoreCase(host)).isEqualTo(FlyweightHeaders.hashIgnoreCase("WEB.LOCAL:8080"));
        assertThat(headers.count("X-MULTI")).isEqualTo(2);
        assertThat(headers.contentLength()).isEqualTo(42);
        assertThat(headers.valueView(host, new TextFlyweight()).toString()).isEqualTo("web.local:8080");
        assertThat(headers.valueView(host, 4, 9, new TextFlyweight()).toString()).isEqualTo("local");
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        assertThat(headers.contentLength()).isEqualTo(-1);
        headers.add(HttpHeaderNames.CONTENT_LENGTH, "1").add(HttpHeaderNames.CONTENT_LENGTH, "1");
        assertThat(headers.contentLength()).as("repeated").isEqualTo(-2);
    }
}
