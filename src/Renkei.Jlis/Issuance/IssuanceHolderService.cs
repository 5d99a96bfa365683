using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Storage;
using Renkei.Jlis.Portal;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Issuance;

/// <summary>
/// J-LIS's holder lookup for the certificate issuance centre (証明書交付センター, <see cref="IssuanceHolderRoutes.Holder"/>):
/// the centre (authenticated by its request signature and its role <see cref="Institutions.JlisRoles.IssuanceCentre"/> in
/// J-LIS's own registry) hands over the proof a kiosk gave it; J-LIS checks it itself (<see cref="CardLoginProofs"/>: the
/// challenge names the centre and is fresh, the certificate is its own and good — suspended and revoked are distinct
/// refusals — the signature verifies, the card is in use) and answers with the card's resident-record code and the
/// municipality whose register holds the resident now (where they moved last, else where the number was designated).
/// <para>Idempotent by request id (per centre): a completed lookup's answer is stored and a resend gets it back; the same
/// id with another proof is refused; a challenge serves one lookup. Each lookup is written to the card's operation record
/// (event <see cref="LookupEvent"/>: the centre, the certificate serial). The answer's code appears in no message or record here.</para>
/// </summary>
internal sealed class IssuanceHolderService(CardLoginProofs proofs, JlisStore register)
{
    /// <summary>The card operation record's event for a kiosk's card use through the issuance centre.</summary>
    public const string LookupEvent = "issuance-holder";

    private const string Operation = "issuance-holder";

    /// <exception cref="RefusalException">a <see cref="PortalLoginRefusalCodes"/> code (409), a reused id (409), an empty id (400).</exception>
    public async Task<IssuanceHolder> HolderAsync(IssuanceHolderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestId == Guid.Empty)
            throw RefusalException.BadRequest("invalid-request", "requestId: missing or empty (要求IDがありません)");
        var centre = request.Centre;
        var key = TokenAcquirer.DerivedId(request.RequestId, "jlis/issuance-holder/" + centre);
        var fingerprint = RequestLedger.Fingerprint(centre, request.UserCertificate, request.Challenge, request.ChallengeSignature);
        if (proofs.Claim<IssuanceHolder>(key, Operation, fingerprint) is { } stored) return stored;

        var certificate = await proofs.VerifyAsync(centre, request.UserCertificate, request.Challenge, request.ChallengeSignature, cancellationToken);
        return proofs.Database.InTransaction((c, t) =>
        {
            var card = proofs.ClaimCard(c, t, certificate, request.Challenge, key, request.RequestId, LookupEvent, centre,
                new { centre, userCertificate = certificate.SerialNumber });
            var municipality = register.MunicipalityOf(c, t, card.ResidentCode) ?? card.Municipality;
            var holder = new IssuanceHolder(card.ResidentCode.Digits, municipality.Digits);
            CardLoginProofs.Complete(c, t, key, holder);
            return holder;
        });
    }
}
