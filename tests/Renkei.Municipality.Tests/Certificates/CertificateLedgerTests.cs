using Renkei.Documents;
using Renkei.Municipality.Certificates;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Certificates;

/// <summary>The issuance ledger records the entry first and makes the certificate after the write commits.</summary>
public sealed class CertificateLedgerTests
{
    private static CertificateIssuance Entry(DateTimeOffset at) =>
        new(0, CertificateKind.ResidenceRecord, 42, at, DateOnly.FromDateTime(at.UtcDateTime), "koseki01", "COUNTER-1", "resident-register",
            CertificateRequester.Self, 1, 300, "本人（1人）; 記載: なし");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void The_certificate_is_made_after_the_entry_is_committed_so_others_are_not_held_behind_it(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var ledger = new CertificateLedger(db.Database);
        var at = new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);

        // While the first certificate is being made, its entry is visible on another connection and a second issuance records.
        var (seen, second) = ledger.Record(Entry(at), id => (ledger.Find(id), ledger.Record(Entry(at), other => other)));

        Assert.NotNull(seen);
        Assert.Equal(seen.Id + 1, second);
        Assert.Equal(2, ledger.ForResident(42).Count(e => e.VoidedAt is null));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_certificate_that_cannot_be_made_leaves_its_entry_voided_and_uncounted(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var ledger = new CertificateLedger(db.Database);
        var at = new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);
        long recorded = 0;

        var thrown = Assert.Throws<InvalidOperationException>(() => ledger.Record<byte[]>(Entry(at), id =>
        {
            recorded = id;
            throw new InvalidOperationException("renderer fault");
        }));

        Assert.Equal("renderer fault", thrown.Message);
        var entry = ledger.Find(recorded);
        Assert.NotNull(entry);
        Assert.Equal((at, CertificateLedger.ProduceFailed), (entry.VoidedAt, entry.VoidReason));
        Assert.Empty(ledger.Statistics());
        // The next issuance gets the next serial: a serial is never given twice.
        Assert.Equal(recorded + 1, ledger.Record(Entry(at), id => id));
    }
}
