using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Municipality.Contracts;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Access;

namespace Renkei.IssuanceCentre.Tests;

/// <summary>
/// TEST DOUBLE, for the centre's unit tests only: a stand-in for a ward's issuance server (<see cref="KioskIssuanceRoutes"/>)
/// on loopback, pinning the centre's signing key as the ward does, so the centre is tested over real signed HTTP against
/// the published contract before the ward's own server is used (<see cref="IssuanceCentreWardTests"/>). It knows the
/// residents it is told of, offers 住民票の写し and 印鑑登録証明書 at 200 yen, refuses 印鑑登録証明書 (no seal registered), and
/// counts the charges: a resend of a transaction gets the same certificate without a second charge.
/// </summary>
internal sealed class FakeWardIssuanceServer : IAsyncDisposable
{
    public const long Fee = 200;

    private sealed record Issue(string Fingerprint, KioskIssued Answer, bool Voided);

    private readonly ConcurrentDictionary<Guid, Issue> _issued = new();
    private readonly ConcurrentDictionary<string, bool> _residents = new(StringComparer.Ordinal);
    private long _serial = 1000;
    private int _charges;

    private FakeWardIssuanceServer(ServiceHost host) => Host = host;

    public ServiceHost Host { get; private set; }

    public int Charges => _charges;

    public int Voided => _issued.Values.Count(i => i.Voided);

    public void AddResident(string residentCode) => _residents[residentCode] = true;

    public static async Task<FakeWardIssuanceServer> StartAsync(string wardCode, string centreCode, string centrePublicKey)
    {
        FakeWardIssuanceServer? server = null;
        var key = RequestSignature.ImportPublicKey(centrePublicKey);
        var host = await ServiceHost.StartAsync("fake-ward-" + wardCode, _ => { }, app =>
        {
            app.Services.UseInstitutionCallers(wardCode, new FixedInstitutions(new KnownInstitution(centreCode, KioskIssuanceRoutes.IssuanceCentreClass, key)));
            const string who = "the pinned issuance centre";
            app.MapPost("/" + KioskIssuanceRoutes.Menu, (HttpRequest http) => server!.MenuAsync(http))
                .RequireInstitution(who, KioskIssuanceRoutes.IssuanceCentreClass);
            app.MapPost("/" + KioskIssuanceRoutes.Issue, (HttpRequest http) => server!.IssueAsync(http))
                .RequireInstitution(who, KioskIssuanceRoutes.IssuanceCentreClass);
            app.MapPost("/" + KioskIssuanceRoutes.Void, (HttpRequest http) => server!.VoidAsync(http))
                .RequireInstitution(who, KioskIssuanceRoutes.IssuanceCentreClass);
        });
        server = new FakeWardIssuanceServer(host);
        return server;
    }

    private async Task<IResult> MenuAsync(HttpRequest http)
    {
        var request = await http.ReadFromJsonAsync<KioskMenuRequest>(JsonDefaults.Options);
        if (!_residents.ContainsKey(request!.ResidentCode)) return ErrorResponses.Problem(409, KioskRefusalCodes.NotResident, "not a resident (住民ではありません)");
        return Results.Json(new KioskMenu("131091", "品川区", true, null,
            [new KioskMenuItem(KioskCertificateKinds.ResidenceRecord, "住民票の写し", Fee, null), new KioskMenuItem(KioskCertificateKinds.SealRegistration, "印鑑登録証明書", Fee, null)]),
            JsonDefaults.Options);
    }

    private async Task<IResult> IssueAsync(HttpRequest http)
    {
        var request = (await http.ReadFromJsonAsync<KioskIssueRequest>(JsonDefaults.Options))!;
        if (!_residents.ContainsKey(request.ResidentCode)) return ErrorResponses.Problem(409, KioskRefusalCodes.NotResident, "not a resident (住民ではありません)");
        if (request.Kind == KioskCertificateKinds.SealRegistration)
            return ErrorResponses.Problem(409, KioskRefusalCodes.NoSealRegistered, "no seal registered (印鑑登録がありません)");
        if (request.PaidYen < Fee) return ErrorResponses.Problem(409, KioskRefusalCodes.PaymentShort, "paid less than the fee (手数料が不足しています)");
        var fingerprint = string.Join('|', request.ResidentCode, request.Kiosk, request.Kind, request.WholeHousehold, request.FiscalYear, request.PaidYen);
        var issue = _issued.GetOrAdd(request.TransactionId, _ =>
        {
            Interlocked.Increment(ref _charges);
            var serial = Interlocked.Increment(ref _serial);
            return new Issue(fingerprint, new KioskIssued(request.TransactionId, serial, request.Kind, Fee, DateTimeOffset.UtcNow,
                RandomNumberGenerator.GetBytes(64)), false);
        });
        return issue.Fingerprint == fingerprint
            ? Results.Json(issue.Answer, JsonDefaults.Options)
            : ErrorResponses.Problem(409, KioskRefusalCodes.TransactionReused, "the transaction id was used with another request (取引IDが使用済みです)");
    }

    private async Task<IResult> VoidAsync(HttpRequest http)
    {
        var request = (await http.ReadFromJsonAsync<KioskVoidRequest>(JsonDefaults.Options))!;
        if (!_issued.TryGetValue(request.TransactionId, out var issue)) return ErrorResponses.Problem(404, "no-issuance", "no such issuance (交付がありません)");
        if (!issue.Voided)
        {
            _issued[request.TransactionId] = issue with { Voided = true };
            Interlocked.Decrement(ref _charges);
        }
        return Results.NoContent();
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
