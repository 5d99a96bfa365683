using System.Text;
using Renkei.Jlis.Contracts;

namespace Renkei.Jlis.Pki;

/// <summary>
/// Writes what relying parties need to check JPKI certificates, as PEM files in one directory (what
/// <c>renkei pki export</c> does): the root and issuing CA certificates and each CA's current CRL.
/// <code>
/// root-ca.pem                      the root CA certificate (the trust anchor)
/// signing-ca.pem                   the signing CA (署名用)
/// user-authentication-ca.pem       the user-authentication CA (利用者証明用)
/// root-crl.pem                     the root's CRL of revoked issuing CAs
/// signing-crl.pem                  the signing CA's current CRL
/// user-authentication-crl.pem      the user-authentication CA's current CRL
/// </code>
/// Existing files are replaced atomically (each file is complete or the previous one).
/// </summary>
public static class JpkiExport
{
    public const string RootCertificateFile = "root-ca.pem";
    public const string RootCrlFile = "root-crl.pem";

    public static string CaCertificateFile(JpkiCertificateKind kind) => PkiRoutes.Segment(kind) + "-ca.pem";

    public static string CrlFile(JpkiCertificateKind kind) => PkiRoutes.Segment(kind) + "-crl.pem";

    /// <summary>Writes the six files; returns their full paths in the order above.</summary>
    public static IReadOnlyList<string> WriteTo(JpkiAuthority authority, string directory)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var files = new List<(string Name, string Text)>();
        using (var root = authority.RootCertificate) files.Add((RootCertificateFile, root.ExportCertificatePem() + "\n"));
        foreach (var kind in Enum.GetValues<JpkiCertificateKind>())
            using (var ca = authority.IssuingCaCertificate(kind)) files.Add((CaCertificateFile(kind), ca.ExportCertificatePem() + "\n"));
        files.Add((RootCrlFile, JpkiEndpoints.PemText("X509 CRL", authority.CurrentRootCrl())));
        foreach (var kind in Enum.GetValues<JpkiCertificateKind>())
            files.Add((CrlFile(kind), JpkiEndpoints.PemText("X509 CRL", authority.CurrentCrl(kind))));

        var written = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.GetFullPath(Path.Combine(directory, name));
            var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{name}.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(temporary, text, Encoding.ASCII);
            File.Move(temporary, path, overwrite: true);
            written.Add(path);
        }
        return written;
    }
}
