using Renkei.Documents;

namespace Renkei.Municipality.Certificates;

/// <summary>Certificates (copies) issued at the counter and at kiosks in one row of the statistics, and the kiosk share.</summary>
public sealed record CertificateChannelCounts(long Counter, long Kiosk)
{
    public long Total => Counter + Kiosk;

    /// <summary>Kiosk ÷ all (null when none were issued): seed 001's 事業成功のポイント asks for it to grow.</summary>
    public double? KioskShare => Total == 0 ? null : (double)Kiosk / Total;
}

/// <summary>
/// The ward's issuance statistics (証明書の交付状況) from <see cref="CertificateLedger.Statistics"/>: copies issued per kind
/// and per month, counter vs kiosk, voided kiosk issuances excluded — counts only, no personal data.
/// </summary>
public sealed record CertificateStatistics(IReadOnlyList<(CertificateKind Kind, CertificateChannelCounts Counts)> ByKind,
    IReadOnlyList<(string Month, CertificateChannelCounts Counts)> ByMonth, CertificateChannelCounts Total)
{
    public static CertificateStatistics From(IReadOnlyList<CertificateStatistic> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        static CertificateChannelCounts Sum(IEnumerable<CertificateStatistic> group) => new(
            group.Where(r => r.Channel == CertificateChannel.Counter).Sum(r => r.Copies),
            group.Where(r => r.Channel == CertificateChannel.Kiosk).Sum(r => r.Copies));
        return new CertificateStatistics(
            rows.GroupBy(r => r.Kind).OrderBy(g => g.Key).Select(g => (g.Key, Sum(g))).ToList(),
            rows.GroupBy(r => r.Month).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, Sum(g))).ToList(),
            Sum(rows));
    }
}
