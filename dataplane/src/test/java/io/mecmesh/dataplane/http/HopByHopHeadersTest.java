package io.mecmesh.dataplane.http;

import io.mecmesh.dataplane.http1.FlyweightHeaders;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HopByHopHeaders} on both kinds of headers it meets (the codec's flyweight ones and Netty's), through the
 * one code path over {@link HeaderFields}.
 */
class HopByHopHeadersTest
{
    enum Kind
    {
        FLYWEIGHT(FlyweightHeaders::new),
        NETTY(DefaultHttpHeaders::new);

        final Supplier<HttpHeaders> create;

        Kind(final Supplier<HttpHeaders> create)
        {
            this.create = create;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldRemoveStandardHopByHopFieldsAndThoseNamedInEveryConnectionField(final Kind kind)
    {
        final HttpHeaders headers = kind.create.get();
        headers.add("X-Before", "named later, so indexes move when it goes");
        headers.add("Connection", "keep-alive, X-Before ,connection,, x-foo");
        headers.add("X-Foo", "1");
        headers.add("Keep-Alive", "timeout=5");
        headers.add("Connection", "X-Bar, Content-Length, Host");
        headers.add("X-Bar", "2");
        headers.add("Host", "example.org");
        headers.add("Content-Length", "3");
        headers.add("Upgrade", "h2c");
        headers.add("TE", "gzip");
        headers.add("X-Kept", "3");

        HopByHopHeaders.remove(headers);

        assertThat(names(headers)).containsExactly("Host", "Content-Length", "X-Kept");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldKeepTeTrailersForGrpc(final Kind kind)
    {
        final HttpHeaders headers = kind.create.get();
        headers.add("te", "Trailers");
        headers.add("Connection", "close");

        HopByHopHeaders.remove(headers);

        assertThat(names(headers)).containsExactly("te");
    }

    private static java.util.List<String> names(final HttpHeaders headers)
    {
        return headers.entries().stream().map(Map.Entry::getKey).toList();
    }
}
