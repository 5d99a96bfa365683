using System.Collections.Concurrent;
using System.Text;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.Portal;

/// <summary>
/// Everything the portal shares between requests: its institution keys, the signed clients for the network, J-LIS and the
/// wards' e-application inboxes, the sessions and the login challenges. Pages reach it through
/// <see cref="PortalPageModel.Runtime"/>.
/// </summary>
internal sealed class PortalRuntime : IDisposable
{
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    private readonly HttpClient _networkHttp;
    private readonly HttpClient _jlisHttp;
    private readonly ConcurrentDictionary<string, Lazy<(HttpClient Http, EApplicationHttpClient Client)>> _wards = new(StringComparer.Ordinal);

    private readonly MutualTls? _tls;
    private readonly PortalOutgoingHandler? _outgoing;

    /// <param name="options">Validated (<see cref="PortalOptionsValidator"/>).</param>
    public PortalRuntime(PortalOptions options, TimeProvider clock, MutualTls? tls, PortalOutgoingHandler? outgoing)
    {
        Options = options;
        InstitutionCode = options.InstitutionCode;
        Clock = clock;
        _tls = tls;
        _outgoing = outgoing;
        Keys = InstitutionKeys.LoadOrCreate(options.KeyDirectory);
        try
        {
            _networkHttp = SigningHandler.CreateClient(options.NetworkAddress!, InstitutionCode, Keys.Signing, NodeRoutes.NetworkInstitutionCode, NewHandler(), options.NetworkTimeout, clock);
            _jlisHttp = SigningHandler.CreateClient(options.JlisAddress!, InstitutionCode, Keys.Signing, JlisTokenRoutes.JlisInstitutionCode, NewHandler(), TimeSpan.FromSeconds(30), clock);
        }
        catch
        {
            Keys.Dispose();
            throw;
        }
        Network = new NetworkHttpClient(_networkHttp);
        Jlis = new JlisHttpClient(_jlisHttp);
        // Certificate status is for approved verifiers (the portal is one): signed as the portal, like its login route.
        Jpki = new JpkiHttpClient(_jlisHttp);
        Sessions = new PortalSessions(clock, options.IdleTimeout);
        Challenges = new LoginChallenges(InstitutionCode, clock);
        RelyingParty = new JpkiRelyingParty(Jpki, new JpkiRelyingPartyOptions { Clock = clock });
        Names = new RecordNames(Network, options.NetworkLogPublicKey!, clock);
    }

    /// <summary>Japanese names of institutions, affairs and information kinds from the network's signed name table (verified, cached).</summary>
    public RecordNames Names { get; }

    public PortalOptions Options { get; }

    /// <summary>The clock for challenges, sessions and request signatures.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The portal's signing key (requests) and sealing key (portal tokens and notices are sealed to it).</summary>
    public InstitutionKeys Keys { get; }

    /// <summary>The network, every request signed as the portal (records, proofs, notices, self-information).</summary>
    public NetworkHttpClient Network { get; }

    /// <summary>J-LIS, signed as the portal (portal/token).</summary>
    public JlisHttpClient Jlis { get; }

    /// <summary>J-LIS's public JPKI routes: CA certificates, CRLs and certificate status.</summary>
    public JpkiHttpClient Jpki { get; }

    /// <summary>Checks a user-authentication certificate's chain to J-LIS's root, its validity and its status at J-LIS.</summary>
    public JpkiRelyingParty RelyingParty { get; }

    public PortalSessions Sessions { get; }

    public LoginChallenges Challenges { get; }

    public string InstitutionCode { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Today in Japan.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Now.ToOffset(JapanStandardTime).DateTime);

    /// <summary>The ward's e-application inbox client (signed as the portal), or null when the ward takes no e-applications here.</summary>
    public EApplicationHttpClient? EApplications(string wardCode)
    {
        var ward = Options.Wards.FirstOrDefault(w => w.Code == wardCode);
        if (ward is null) return null;
        return _wards.GetOrAdd(ward.Code, _ => new Lazy<(HttpClient, EApplicationHttpClient)>(() =>
        {
            var http = SigningHandler.CreateClient(ward.EApplicationAddress, InstitutionCode, Keys.Signing, ward.Code, NewHandler(), TimeSpan.FromSeconds(60), Clock);
            return (http, new EApplicationHttpClient(http));
        })).Value.Client;
    }

    /// <summary>Opens what was sealed to the portal's sealing key under <paramref name="context"/> (UTF-8 associated data).</summary>
    public byte[] Open(SealedPayload sealedPayload, string context) =>
        MessageSealing.Open(Keys.Sealing, sealedPayload, MessageSealing.AssociatedData(context));

    /// <summary>The portal token J-LIS handed on, opened: 16 digits sealed by the network under the request id.</summary>
    public Token OpenPortalToken(Guid requestId, SealedPayload sealedToken)
    {
        var digits = Open(sealedToken, IssueTokenResponse.PortalTokenContext(requestId, InstitutionCode));
        try
        {
            var parsed = Token.Parse(Encoding.UTF8.GetString(digits));
            return parsed.IsValid ? parsed.Value : throw new InvalidDataException("the sealed portal token is not 16 digits");
        }
        finally
        {
            Array.Clear(digits);
        }
    }

    private HttpMessageHandler NewHandler() =>
        _outgoing?.Create() ?? (HttpMessageHandler?)_tls?.CreateHandler() ?? new SocketsHttpHandler();

    public void Dispose()
    {
        foreach (var ward in _wards.Values)
            if (ward.IsValueCreated) ward.Value.Http.Dispose();
        _networkHttp.Dispose();
        _jlisHttp.Dispose();
        Keys.Dispose();
    }
}
