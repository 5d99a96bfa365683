using Microsoft.AspNetCore.Builder;
using Renkei.Jlis.Numbering;

namespace Renkei.Jlis.Pki;

/// <summary>Where the JPKI CAs keep their keys (a passphrase-protected key file) and how to open them.</summary>
public sealed record JpkiOptions(string KeyDirectory, string Passphrase);

/// <summary>J-LIS's certificate routes: CA certificates, CRLs, certificate status.</summary>
public static class JpkiEndpoints
{
    public static void Map(WebApplication app, JlisServiceOptions options, NumberingService numbering)
    {
    }
}
