package io.mecmesh.dataplane.upstream;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real gRPC (grpc-java on both ends) through the proxy: the client speaks HTTP/2 to the proxy's listener, the proxy
 * speaks HTTP/2 to the server. Unary and server-streaming calls, and an error status carried in the trailers.
 */
class GrpcThroughProxyTest
{
    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>()
    {
        @Override
        public InputStream stream(final String value)
        {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(final InputStream stream)
        {
            try
            {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    };
    private static final MethodDescriptor<String, String> GREET = MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("mecmesh.test.Greeter/Greet")
        .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
    private static final MethodDescriptor<String, String> COUNT = MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("mecmesh.test.Greeter/Count")
        .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

    private Server server;
    private DataPlane dataPlane;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException
    {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerServiceDefinition.builder("mecmesh.test.Greeter")
                .addMethod(GREET, ServerCalls.asyncUnaryCall((request, observer) ->
                {
                    if (request.isEmpty())
                    {
                        observer.onError(Status.NOT_FOUND.withDescription("nobody to greet").asRuntimeException());
                        return;
                    }
                    observer.onNext("hello " + request);
                    observer.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((request, observer) ->
                {
                    for (int i = 1; i <= Integer.parseInt(request); i++)
                    {
                        observer.onNext("item " + i);
                    }
                    observer.onCompleted();
                }))
                .build())
            .build()
            .start();
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "greeter")),
            List.of(ClusterConfig.of("greeter", List.of(new Endpoint("127.0.0.1", server.getPort())))
                .withProtocol(UpstreamProtocol.HTTP2))), new DataPlaneCounters());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", dataPlane.listenerAddress("ingress").getPort())
            .usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        dataPlane.close();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private CallOptions withDeadline()
    {
        return CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldCarryAUnaryCall()
    {
        assertThat(ClientCalls.blockingUnaryCall(channel, GREET, withDeadline(), "edge")).isEqualTo("hello edge");
    }

    @Test
    void shouldCarryAServerStreamingCall()
    {
        final Iterator<String> items = ClientCalls.blockingServerStreamingCall(channel, COUNT, withDeadline(), "5");
        final List<String> received = new ArrayList<>();
        items.forEachRemaining(received::add);

        assertThat(received).containsExactly("item 1", "item 2", "item 3", "item 4", "item 5");
    }

    @Test
    void shouldCarryTheServersErrorStatusInTheTrailers()
    {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GREET, withDeadline(), ""))
            .isInstanceOf(StatusRuntimeException.class)
            .satisfies(ex -> assertThat(((StatusRuntimeException)ex).getStatus().getCode())
                .isEqualTo(Status.Code.NOT_FOUND))
            .hasMessageContaining("nobody to greet");
    }
}
