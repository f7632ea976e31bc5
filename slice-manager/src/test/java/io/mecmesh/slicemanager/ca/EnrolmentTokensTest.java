package io.mecmesh.slicemanager.ca;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnrolmentTokensTest
{
    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T12:00:00Z"));
    private final InstantSource clock = () -> now.get();
    private final X509Certificate root = CertificateAuthority.generate("mesh.test", Duration.ofDays(1),
        InstantSource.system()).root().certificate();

    @Test
    void shouldRedeemATokenOnceForItsNodeAndRefuseItAfterwardsEvenAfterARestart()
    {
        final EnrolmentTokens tokens = EnrolmentTokens.open(dir, clock);
        final EnrolmentTokens.Token token = tokens.create("edge-a", "site-a", Duration.ofHours(1), root);

        assertThat(tokens.redeem(token, "edge-a", "site-a", () -> "svid")).isEqualTo("svid");
        assertThatThrownBy(() -> tokens.redeem(token, "edge-a", "site-a", () -> "again"))
            .isInstanceOf(CertificateAuthorityException.class).hasMessageContaining("already used");

        final EnrolmentTokens reopened = EnrolmentTokens.open(dir, clock);
        assertThatThrownBy(() -> reopened.redeem(token, "edge-a", "site-a", () -> "after restart"))
            .hasMessageContaining("already used");
        assertThat(tokens.refusals(EnrolmentTokens.Refusal.REUSED)).isEqualTo(1);
        assertThat(reopened.refusals(EnrolmentTokens.Refusal.REUSED)).isEqualTo(1);
    }

    @Test
    void shouldRefuseAnotherNodeOrSiteWithoutUsingTheTokenUp()
    {
        final EnrolmentTokens tokens = EnrolmentTokens.open(dir, clock);
        final EnrolmentTokens.Token token = tokens.create("edge-a", "site-a", Duration.ofHours(1), root);

        assertThatThrownBy(() -> tokens.redeem(token, "edge-b", "site-a", () -> "stolen"))
            .isInstanceOfSatisfying(CertificateAuthorityException.class, ex -> assertThat(ex.category())
                .isEqualTo(CertificateAuthorityException.Category.FORBIDDEN))
            .hasMessageContaining("is for node edge-a");
        assertThatThrownBy(() -> tokens.redeem(token, "edge-a", "site-b", () -> "other site"))
            .hasMessageContaining("is for node edge-a at site site-a");

        assertThat(tokens.refusals(EnrolmentTokens.Refusal.NODE_MISMATCH)).isEqualTo(2);
        assertThat(tokens.redeem(token, "edge-a", "site-a", () -> "svid")).isEqualTo("svid");
    }

    @Test
    void shouldRefuseAnExpiredOrUnknownTokenAndKeepATokenWhoseIssueFailed()
    {
        final EnrolmentTokens tokens = EnrolmentTokens.open(dir, clock);
        final EnrolmentTokens.Token token = tokens.create("edge-a", "site-a", Duration.ofMinutes(10), root);
        assertThatThrownBy(() -> tokens.redeem(token, "edge-a", "site-a", () ->
        {
            throw new CertificateAuthorityException(CertificateAuthorityException.Category.UNAVAILABLE, "CA down");
        })).hasMessage("CA down");

        now.set(now.get().plus(Duration.ofMinutes(10)));

        assertThatThrownBy(() -> tokens.redeem(token, "edge-a", "site-a", () -> "late"))
            .hasMessageContaining("expired");
        final EnrolmentTokens.Token forged = new EnrolmentTokens.Token(token.secret().substring(1) + "A",
            token.rootFingerprint());
        assertThatThrownBy(() -> tokens.redeem(forged, "edge-a", "site-a", () -> "forged"))
            .isInstanceOfSatisfying(CertificateAuthorityException.class, ex -> assertThat(ex.category())
                .isEqualTo(CertificateAuthorityException.Category.UNAUTHENTICATED));
        assertThat(tokens.refusals(EnrolmentTokens.Refusal.EXPIRED)).isEqualTo(1);
        assertThat(tokens.refusals(EnrolmentTokens.Refusal.UNKNOWN)).isEqualTo(1);
    }

    @Test
    void shouldKeepOnlyTheHashOwnerOnlyAndPinTheRoot() throws Exception
    {
        final EnrolmentTokens tokens = EnrolmentTokens.open(dir, clock);
        final EnrolmentTokens.Token token = tokens.create("edge-a", "site-a", Duration.ofHours(1), root);

        final Path file = dir.resolve(EnrolmentTokens.FILE);
        assertThat(Files.readString(file)).doesNotContain(token.secret()).contains("edge-a");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(token.rootFingerprint()).isEqualTo(EnrolmentTokens.fingerprint(root));
        assertThat(EnrolmentTokens.Token.parse(token.toString())).contains(token);
        assertThat(EnrolmentTokens.Token.parse("a-shared-join-token")).isEmpty();
    }
}
