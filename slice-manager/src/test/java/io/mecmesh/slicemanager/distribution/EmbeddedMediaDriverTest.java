package io.mecmesh.slicemanager.distribution;

import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedMediaDriverTest
{
    @Test
    void shouldPutTheDriverDirectoryUnderTheDataDirectoryByDefault()
    {
        final EmbeddedMediaDriver.Context context = new EmbeddedMediaDriver.Context()
            .dataDirectory(Path.of("/var/lib/mecmesh")).conclude();

        assertThat(context.aeronDirectory()).isEqualTo(Path.of("/var/lib/mecmesh/aeron"));
    }

    @Test
    void shouldRefuseThreadingModesThatTakeACorePerDriverAgent()
    {
        assertThatThrownBy(() -> new EmbeddedMediaDriver.Context().dataDirectory(Path.of("/tmp/x"))
            .threadingMode(ThreadingMode.DEDICATED).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("threadingMode:");
        assertThatThrownBy(() -> new EmbeddedMediaDriver.Context().conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("aeronDirectory:");
        assertThatThrownBy(() -> new EmbeddedMediaDriver.Context().dataDirectory(Path.of("/tmp/x"))
            .termLength(100_000).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("termLength:");
    }
}
