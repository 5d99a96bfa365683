namespace Renkei.Jlis.Contracts;

/// <summary>
/// J-LIS's one route for the certificate issuance centre (証明書交付センター): whose card signed a kiosk's challenge. The
/// centre sends the proof the kiosk gave it, signed as itself (registered at J-LIS); J-LIS checks the proof again (its own
/// certificate, status good, signature valid, challenge fresh and naming the centre), finds the card and answers with the
/// card's resident-record code and the municipality whose register holds the resident now.
/// </summary>
public static class IssuanceHolderRoutes
{
    /// <summary>POST <see cref="IssuanceHolderRequest"/> → <see cref="IssuanceHolder"/>.</summary>
    public const string Holder = "issuance/holder";
}

/// <summary>The centre asks J-LIS whose card signed <paramref name="Challenge"/> (the same proof the kiosk sent; J-LIS checks it again).</summary>
/// <param name="Centre">The calling centre's code (must match the request signature).</param>
public sealed record IssuanceHolderRequest(Guid RequestId, string Centre, string UserCertificate, string Challenge, string ChallengeSignature);

/// <param name="ResidentCode">The card's resident-record code (住民票コード).</param>
/// <param name="Municipality">The code of the municipality whose register holds the resident now.</param>
public sealed record IssuanceHolder(string ResidentCode, string Municipality);

/// <summary>Implemented by <see cref="JlisHttpClient"/>; its <see cref="HttpClient"/> must sign requests as the issuance centre.</summary>
public interface IJlisIssuanceHolderClient
{
    /// <exception cref="JlisException">J-LIS refused (a <see cref="PortalLoginRefusalCodes"/> code, a reused id, or a signature failure).</exception>
    Task<IssuanceHolder> IssuanceHolderAsync(IssuanceHolderRequest request, CancellationToken cancellationToken = default);
}
