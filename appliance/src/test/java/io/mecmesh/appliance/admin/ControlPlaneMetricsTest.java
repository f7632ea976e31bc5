package io.mecmesh.appliance.admin;

import io.mecmesh.appliance.control.TimedControlPlane;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.distribution.RejectReason;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.Snssai;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The control plane's own metrics (issue 16 item 6): how long commands take, by outcome, as a classic histogram in
 * seconds; the journal's size in entries and bytes, read from a real Chronicle journal; the configuration version per
 * node; all in a format promtool accepts.
 */
class ControlPlaneMetricsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExportApplyDurationsByOutcomeJournalSizeAndNodeVersionsThatPromtoolAccepts() throws Exception
    {
        final AtomicLong nowNs = new AtomicLong(1_000);
        final TimedControlPlane timed = new TimedControlPlane(new Backend(nowNs), nowNs::get);
        try (CommandJournal journal = CommandJournal.open(dir.resolve("journal")))
        {
            journal.append(1, new Command.DeleteSlice(Snssai.of(1)));
            journal.append(2, new Command.DeleteService("video"));
            final MetricsExport metrics = new MetricsExport(() -> true, new MetricsExport.BuildInfo("1", "none", "17"))
                .addNodeStatus(() -> Map.of("edge-a", new NodeStatus("edge-a", 7, 6, -1, RejectReason.NONE, "", 0)),
                    () -> 0)
                .addControlPlane(timed.applyDuration(), timed.nodeApplyDuration(), journal::size);

            timed.submit(new Command.DeleteService("applied-in-3ms"));
            timed.observeNodeApply(TimeUnit.MILLISECONDS.toNanos(40));
            assertThatThrownBy(() -> timed.submit(new Command.DeleteService("rejected-in-1ms")))
                .isInstanceOf(CommandRejectedException.class);

            final String text = TrustMetricsTest.scrape(metrics);
            final Map<String, Double> samples = TrustMetricsTest.samples(text);
            assertThat(samples)
                .containsEntry("mecmesh_control_apply_duration_seconds_count{outcome=\"applied\"}", 1.0)
                .containsEntry("mecmesh_control_apply_duration_seconds_bucket{outcome=\"applied\",le=\"0.0025\"}", 0.0)
                .containsEntry("mecmesh_control_apply_duration_seconds_bucket{outcome=\"applied\",le=\"0.005\"}", 1.0)
                .containsEntry("mecmesh_control_apply_duration_seconds_sum{outcome=\"applied\"}", 0.003)
                .containsEntry("mecmesh_control_apply_duration_seconds_count{outcome=\"rejected\"}", 1.0)
                .containsEntry("mecmesh_control_apply_duration_seconds_bucket{outcome=\"rejected\",le=\"0.001\"}", 1.0)
                .containsEntry("mecmesh_node_config_apply_duration_seconds_bucket{le=\"0.025\"}", 0.0)
                .containsEntry("mecmesh_node_config_apply_duration_seconds_bucket{le=\"0.05\"}", 1.0)
                .containsEntry("mecmesh_node_config_apply_duration_seconds_count", 1.0)
                .containsEntry("mecmesh_journal_entries", 2.0)
                .containsEntry("mecmesh_node_config_version{kind=\"latest\",node=\"edge-a\"}", 7.0)
                .containsEntry("mecmesh_node_config_version{kind=\"applied\",node=\"edge-a\"}", 6.0);
            final double entryBytes = samples.get("mecmesh_journal_size_bytes");
            assertThat(entryBytes).as("two framed entries").isGreaterThan(2.0 * CommandJournal.HEADER_LENGTH);
            assertThat(samples.get("mecmesh_journal_files_size_bytes")).isGreaterThanOrEqualTo(entryBytes);
            Promtool.assertAccepts(text);

            journal.append(3, new Command.DeleteNode("edge-b"));
            assertThat(TrustMetricsTest.samples(TrustMetricsTest.scrape(metrics)))
                .containsEntry("mecmesh_journal_entries", 3.0);
        }
        try (CommandJournal reopened = CommandJournal.open(dir.resolve("journal")))
        {
            assertThat(reopened.size().entries()).as("before a replay nothing is read").isZero();
            reopened.replay(0, (sequence, command) -> { });
            assertThat(reopened.size().entries()).as("a replay counts every entry").isEqualTo(3);
        }
    }

    /** A control plane that takes 3 ms to apply a command, and 1 ms to refuse one whose name says so. */
    private static final class Backend implements ControlPlaneBackend
    {
        private final AtomicLong nowNs;

        Backend(final AtomicLong nowNs)
        {
            this.nowNs = nowNs;
        }

        @Override
        public long submit(final Command command)
        {
            if (command instanceof Command.DeleteService delete && delete.name().startsWith("rejected"))
            {
                nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
                throw new CommandRejectedException(CommandRejectedException.Category.NOT_FOUND, "name", "no such");
            }
            nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(3));
            return 1;
        }

        @Override
        public DesiredState state()
        {
            return DesiredState.empty();
        }

        @Override
        public Map<String, NodeStatus> nodeStatus()
        {
            return Map.of();
        }

        @Override
        public long nanoTime()
        {
            return nowNs.get();
        }

        @Override
        public long journal(final long afterSequence, final int limit, final CommandJournal.EntryHandler handler)
        {
            return afterSequence;
        }

        @Override
        public Path compact()
        {
            return Path.of("none");
        }
    }
}
