using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.IssuanceCentre;

/// <summary>
/// What the centre shares between requests: its institution keys, its signed clients of J-LIS (JPKI status and the holder
/// lookup) and of each participating ward's issuance server, the kiosk sessions and challenges.
/// </summary>
internal sealed class IssuanceCentreRuntime : IDisposable
{
    private readonly HttpClient _jlisHttp;
    private readonly ConcurrentDictionary<string, Lazy<(HttpClient Http, WardIssuanceClient Client)>> _wards = new(StringComparer.Ordinal);
    private readonly MutualTls? _tls;
    private readonly IssuanceCentreOutgoingHandler? _outgoing;

    /// <param name="options">Validated (<see cref="IssuanceCentreOptionsValidator"/>).</param>
    public IssuanceCentreRuntime(IssuanceCentreOptions options, TransactionLog transactions, TimeProvider clock, MutualTls? tls,
        IssuanceCentreOutgoingHandler? outgoing)
    {
        Options = options;
        Code = options.Code!;
        Transactions = transactions;
        Clock = clock;
        _tls = tls;
        _outgoing = outgoing;
        Keys = InstitutionKeys.LoadOrCreate(options.KeyDirectory!);
        try
        {
            _jlisHttp = SigningHandler.CreateClient(options.JlisAddress!, Code, Keys.Signing, JlisTokenRoutes.JlisInstitutionCode, NewHandler(), options.CallTimeout, clock);
        }
        catch
        {
            Keys.Dispose();
            throw;
        }
        Jlis = new JlisHttpClient(_jlisHttp);
        Paper = new PaperSigningHttpClient(_jlisHttp);
        // Certificate status is for approved verifiers (the centre is one at J-LIS): signed as the centre.
        RelyingParty = new JpkiRelyingParty(new JpkiHttpClient(_jlisHttp), new JpkiRelyingPartyOptions { Clock = clock });
        Sessions = new KioskSessions(clock, options.SessionIdleTimeout);
        Challenges = new KioskChallenges(Code, clock);
    }

    public IssuanceCentreOptions Options { get; }

    /// <summary>The centre's institution code (the relying party its challenges name).</summary>
    public string Code { get; }

    public TimeProvider Clock { get; }

    public InstitutionKeys Keys { get; }

    public TransactionLog Transactions { get; }

    /// <summary>J-LIS, signed as the centre (issuance/holder).</summary>
    public JlisHttpClient Jlis { get; }

    /// <summary>J-LIS's certificate-signing CA: its public root and CRL, for the verification page.</summary>
    public PaperSigningHttpClient Paper { get; }

    /// <summary>Checks a user-authentication certificate's chain to J-LIS's root, its validity and its status at J-LIS.</summary>
    public JpkiRelyingParty RelyingParty { get; }

    public KioskSessions Sessions { get; }

    public KioskChallenges Challenges { get; }

    /// <summary>The participating ward's issuance server, signed as the centre; null when the ward does not take part.</summary>
    public WardIssuanceClient? Ward(string wardCode)
    {
        var ward = Options.Wards.FirstOrDefault(w => w.Code == wardCode);
        if (ward is null) return null;
        return _wards.GetOrAdd(ward.Code!, _ => new Lazy<(HttpClient, WardIssuanceClient)>(() =>
        {
            var http = SigningHandler.CreateClient(ward.Address!, Code, Keys.Signing, ward.Code!, NewHandler(), Options.CallTimeout, Clock);
            return (http, new WardIssuanceClient(http));
        })).Value.Client;
    }

    private HttpMessageHandler NewHandler() =>
        _outgoing?.Create() ?? (HttpMessageHandler?)_tls?.CreateHandler() ?? new SocketsHttpHandler();

    public void Dispose()
    {
        foreach (var ward in _wards.Values)
            if (ward.IsValueCreated) ward.Value.Http.Dispose();
        _jlisHttp.Dispose();
        Keys.Dispose();
    }
}

/// <summary>A ward's issuance server refused (its problem's status and code, passed on to the kiosk) or answered wrongly.</summary>
internal sealed class WardRefusalException(HttpStatusCode status, ProblemBody problem) : Exception(problem.Detail)
{
    public HttpStatusCode Status { get; } = status;
    public ProblemBody Problem { get; } = problem;
}

/// <summary>A ward's kiosk routes (<see cref="KioskIssuanceRoutes"/>) over HTTP; the client signs as the centre.</summary>
internal sealed class WardIssuanceClient(HttpClient http)
{
    public Task<KioskMenu> MenuAsync(KioskMenuRequest request, CancellationToken cancellationToken) =>
        PostAsync<KioskMenuRequest, KioskMenu>(KioskIssuanceRoutes.Menu, request, cancellationToken);

    public Task<KioskIssued> IssueAsync(KioskIssueRequest request, CancellationToken cancellationToken) =>
        PostAsync<KioskIssueRequest, KioskIssued>(KioskIssuanceRoutes.Issue, request, cancellationToken);

    public async Task VoidAsync(KioskVoidRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(KioskIssuanceRoutes.Void, request, JsonDefaults.Options, cancellationToken);
        await ServiceResponses.EnsureSuccessAsync(response, (status, problem) => new WardRefusalException(status, problem), cancellationToken);
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string route, TRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(route, request, JsonDefaults.Options, cancellationToken);
        return await ServiceResponses.ReadAsync<TResponse>(response, (status, problem) => new WardRefusalException(status, problem), cancellationToken);
    }
}
