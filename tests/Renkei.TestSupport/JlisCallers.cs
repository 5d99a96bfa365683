using Renkei.Core.Crypto;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;

namespace Renkei.TestSupport;

/// <summary>
/// Institutions calling J-LIS in tests as they do deployed: registered in J-LIS's own registry (its database) with the
/// signing key in their key directory, and calling with requests signed by that key.
/// </summary>
public static class JlisCallers
{
    /// <summary>Registers <paramref name="code"/> in J-LIS's registry with the signing key in <paramref name="keyDirectory"/> (created on first use).</summary>
    public static void Register(Database jlisDatabase, string code, string role, string keyDirectory, string? name = null)
    {
        using var keys = InstitutionKeys.LoadOrCreate(keyDirectory);
        new JlisInstitutions(jlisDatabase).Register(new JlisInstitution(code, name ?? code, role, keys.SigningPublicKey));
    }

    /// <summary>
    /// An <see cref="HttpClient"/> to J-LIS at <paramref name="jlis"/> signing as <paramref name="code"/> with the key in
    /// <paramref name="keyDirectory"/>; registers the institution first when <paramref name="jlisDatabase"/> is given. The
    /// client owns the keys.
    /// </summary>
    public static HttpClient Client(Uri jlis, string code, string keyDirectory, Database? jlisDatabase = null, string role = JlisRoles.Municipality,
        HttpMessageHandler? inner = null, TimeSpan? timeout = null)
    {
        if (jlisDatabase is not null) Register(jlisDatabase, code, role, keyDirectory);
        var keys = InstitutionKeys.LoadOrCreate(keyDirectory);
        return new HttpClient(new KeyOwner(keys)
        {
            InnerHandler = new SigningHandler(code, keys.Signing, JlisTokenRoutes.JlisInstitutionCode) { InnerHandler = inner ?? new SocketsHttpHandler() },
        })
        {
            BaseAddress = jlis,
            Timeout = timeout ?? TimeSpan.FromMinutes(2),
        };
    }

    /// <summary>Disposes the keys with the client.</summary>
    private sealed class KeyOwner(InstitutionKeys keys) : DelegatingHandler
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing) keys.Dispose();
        }
    }
}
