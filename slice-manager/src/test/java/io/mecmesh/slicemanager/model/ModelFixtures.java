package io.mecmesh.slicemanager.model;

import java.util.List;

/**
 * Two slices, three services and three nodes, as an operator of a small edge site might declare them.
 */
public final class ModelFixtures
{
    public static final Snssai EMBB = Snssai.parse("1-0000a1");
    public static final Snssai URLLC = Snssai.parse("2-0000b2");

    private ModelFixtures()
    {
    }

    public static Slice embb()
    {
        return Slice.builder(EMBB, "embb-video", FiveQiTable.standard().get(9))
            .bitRates(new BitRates(50_000_000, 200_000_000, 0, 0))
            .classify(ClassificationRule.sourceCidrs("10.45.0.0/16"))
            .build();
    }

    public static Slice urllc()
    {
        return Slice.builder(URLLC, "factory-control", FiveQiTable.standard().get(82))
            .bitRates(new BitRates(10_000_000, 10_000_000, 5_000_000, 5_000_000))
            .classify(ClassificationRule.callerSpiffeIdPrefix("spiffe://mesh.example/slice/2-0000b2/"))
            .build();
    }

    public static Service video()
    {
        return Service.builder("video", embb())
            .endpoint("10.0.1.10", 8080, "site-a", "metro-1")
            .endpoint("10.0.2.10", 8080, "site-b", "metro-1")
            .route("video.example", "/")
            .build();
    }

    public static Service cdn()
    {
        return Service.builder("cdn", embb())
            .endpoint("10.0.1.11", 8081, "site-a", "metro-1")
            .route("cdn.example", "/")
            .route("video.example", "/static/")
            .build();
    }

    public static Service plc()
    {
        return Service.builder("plc", urllc())
            .endpoint("10.0.3.10", 9000, "site-c", "metro-2")
            .route("plc.example", "/control/")
            .authorization(new AuthorizationPolicy(List.of("spiffe://mesh.example/slice/2-0000b2/")))
            .build();
    }

    /** node-a hosts video, node-b hosts cdn (both see the eMBB slice), node-c hosts plc (URLLC only). */
    public static DesiredState state()
    {
        DesiredState state = DesiredState.empty();
        for (final Command command : commands())
        {
            state = state.apply(command);
        }
        return state;
    }

    public static List<Command> commands()
    {
        return List.of(
            new Command.PutSlice(embb()),
            new Command.PutSlice(urllc()),
            new Command.PutService(video()),
            new Command.PutService(cdn()),
            new Command.PutService(plc()),
            new Command.PutNode(new Node("node-a", "site-a", "metro-1", List.of("video"))),
            new Command.PutNode(new Node("node-b", "site-b", "metro-1", List.of("cdn"))),
            new Command.PutNode(new Node("node-c", "site-c", "metro-2", List.of("plc"))));
    }
}
