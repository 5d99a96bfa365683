using Renkei.Core.Crypto;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Access;

namespace Renkei.Jlis.Tokens;

/// <summary>
/// J-LIS's signed client to the network (as the institution <see cref="JlisTokenSettings.InstitutionCode"/>, with its keys
/// in <see cref="JlisTokenSettings.KeyDirectory"/>), the institution directory over it, and the clock for signatures. The
/// token routes and the portal login share it; disposing it closes the client and the keys.
/// </summary>
internal sealed class JlisNetworkLink : IDisposable
{
    private readonly InstitutionKeys _keys;
    private readonly HttpClient _http;

    public JlisNetworkLink(JlisTokenSettings settings, HttpMessageHandler? outgoing, TimeProvider clock)
    {
        _keys = InstitutionKeys.LoadOrCreate(settings.KeyDirectory!);
        _http = SigningHandler.CreateClient(settings.NetworkAddress!, settings.InstitutionCode, _keys.Signing, NodeRoutes.NetworkInstitutionCode, outgoing,
            settings.NetworkTimeout, clock);
        Network = new NetworkHttpClient(_http);
        Directory = new InstitutionDirectory(Network, clock, settings.InstitutionCacheTime);
        Clock = clock;
        Callers = new DirectoryCallers(Directory);
    }

    public INetworkClient Network { get; }
    public InstitutionDirectory Directory { get; }
    public TimeProvider Clock { get; }

    /// <summary>The network's registry as a caller directory of J-LIS's routes (after J-LIS's own, <see cref="Institutions.JlisInstitutions"/>).</summary>
    public IInstitutionResolver Callers { get; }

    public void Dispose()
    {
        _http.Dispose();
        Directory.Dispose();
        _keys.Dispose();
    }

    /// <summary>The network's registry, as J-LIS's cache of it holds it, as the caller directory of J-LIS's routes.</summary>
    private sealed class DirectoryCallers(InstitutionDirectory directory) : IInstitutionResolver
    {
        public async ValueTask<KnownInstitution?> FindAsync(string code, CancellationToken cancellationToken) =>
            await directory.FindAsync(code, cancellationToken) is { } entry
                ? new KnownInstitution(entry.Info.Code, entry.Info.Class.ToString(), entry.SigningKey)
                : null;
    }
}
