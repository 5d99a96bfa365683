namespace Renkei.Municipality.Certificates;

public sealed partial class CounterCertificates
{
    /// <summary>
    /// The same issuing code for one kiosk transaction (コンビニ交付): every Issue… method then records a kiosk entry with the
    /// transaction, what was paid and <paramref name="feeYen"/> per copy (the ward's kiosk fee) — or, when
    /// <paramref name="replay"/> names the entry this request recorded before, records nothing and makes the certificate
    /// again from that entry's serial, dated as <paramref name="clock"/> says (the original issuance's time).
    /// </summary>
    public CounterCertificates ForKiosk(KioskTransaction transaction, long feeYen, long? replay, TimeProvider clock) =>
        new(ledger.ForKiosk(transaction, replay), settings with { FeePerCopy = checked((int)feeYen) }, clock) { KioskChannel = true };

    /// <summary>Issuing for a kiosk: the resident proved who they are with the card's user certificate, not a 印鑑登録証 (the ledger's note says so).</summary>
    private bool KioskChannel { get; init; }
}
