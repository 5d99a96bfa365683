using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Documents;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;

namespace Renkei.Municipality.Service;

/// <summary>The ward API's expected refusals as problem bodies; their messages are written never to contain numbers.</summary>
internal static class WardRefusals
{
    public static IResult? Refusal(Exception e) => e switch
    {
        RegisterException r => ErrorResponses.Problem(StatusFor(r.Code), r.Code, r.Message),
        AffairNumberUseRefusedException n => ErrorResponses.Problem(StatusCodes.Status403Forbidden, n.Code, n.Message),
        StaffException s => ErrorResponses.Problem(StatusCodes.Status403Forbidden, s.Code, s.Message),
        JlisException j => ErrorResponses.Problem(StatusCodes.Status502BadGateway, "jlis-" + j.Code, e.Message),
        HttpRequestException => ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "jlis-unreachable",
            "J-LIS could not be reached; send the same request again later (J-LISに接続できません)"),
        _ => null,
    };

    public static string? RefusalCode(Exception e) => e switch
    {
        RegisterException r => r.Code,
        AffairNumberUseRefusedException n => n.Code,
        StaffException s => s.Code,
        JlisException j => "jlis-" + j.Code,
        HttpRequestException => "jlis-unreachable",
        _ => null,
    };

    /// <summary>Register refusals caused by the request's own values (missing, out of bounds, malformed), logged as refused rather than failed.</summary>
    public static bool IsInputRefusal(string code) => StatusFor(code) == StatusCodes.Status400BadRequest;

    private static int StatusFor(string code) => code switch
    {
        "unknown-resident" or "unknown-household" => StatusCodes.Status404NotFound,
        "already-registered" or "head-exists" or "request-id-reused" or "number-in-use" or "not-resident" or "deceased" => StatusCodes.Status409Conflict,
        "number-mismatch" or "number-superseded" or "no-number-designated" => StatusCodes.Status422UnprocessableEntity,
        ResidenceCertificates.RecordInvalid or TaxCertificates.NoTaxRecord or TaxCertificates.NoTaxDue => StatusCodes.Status409Conflict,
        TaxCertificates.TaxAffairRequired => StatusCodes.Status403Forbidden,
        WardCertificateSigner.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };
}

/// <summary>Whether a register change handles an individual number (and so needs a number-using affair).</summary>
internal enum NumberNeed { None, Required }

/// <summary>
/// The staff-facing handlers: sessions, the access decisions and the operation-log entries of each request. Its clock
/// (<paramref name="clock"/>) times logins (TOTP), session expiry, the day number use is decided for, and log entries.
/// </summary>
internal sealed class StaffApi(StaffDirectory staff, OperationLog log, ResidentRegister register, ResidenceCertificates certificates,
    TimeProvider clock, TimeSpan sessionIdleTimeout, CounterCertificateSettings counterSettings)
{
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);
    private const int MaxIdsInDetail = 100;

    private readonly StaffApiSessions _sessions = new(register.Database, staff.Catalogue, clock, sessionIdleTimeout);
    private readonly AddresseeSystem _addressee = new(register, log);
    private CounterCertificates? _counter;
    private TaxCertificates? _taxes;
    private CounterCertificates Counter => _counter ??= new CounterCertificates(new CertificateLedger(register.Database), counterSettings, clock);
    private TaxCertificates Taxes => _taxes ??= new TaxCertificates(register, _addressee, new Business.ResidenceTaxSystem(_addressee), Counter);
    private StaffDirectory Staff => staff;
    private OperationLog Log => log;
    private DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>Today in Japan: the day number use is decided for.</summary>
    private DateOnly Today => DateOnly.FromDateTime(Now.ToOffset(JapanStandardTime).DateTime);

    /// <summary>A request with a live session (refreshed from the directory), the token it came with and the terminal.</summary>
    private sealed record Caller(StaffSession Session, string Token, DateTimeOffset ExpiresAt, string Terminal)
    {
        public override string ToString() => $"{Session} at {Terminal} (token hidden)";
    }

    // ------------------------------------------------------------------ sessions

    public async Task<IResult> LoginAsync(HttpContext http)
    {
        var terminal = Terminal(http);
        var body = await StaffApiBodies.ReadAsync<StaffLoginRequest>(http);
        if (body.Value is not { } request)
        {
            await RecordAsync(WardModule.AnonymousStaff, terminal, null, OperationAction.LoginFailed, OperationResult.Refused, "login: refused: " + body.Code);
            return BodyRefused(body);
        }
        var now = Now;
        // PBKDF2 is deliberately slow: off the request thread.
        var result = await Task.Run(() => Staff.Authenticate(request.StaffId, request.Password, request.TotpCode, now), http.RequestAborted);
        if (!result.Succeeded)
        {
            var code = OutcomeCode(result.Outcome);
            await RecordAsync(LoggableStaffId(request.StaffId), terminal, null, OperationAction.LoginFailed, OperationResult.Refused, "login: " + code);
            return ErrorResponses.Problem(StatusCodes.Status401Unauthorized, code, result.Message + " (" + code + ")");
        }
        var session = result.Session!;
        if (session.MustChangePassword)
        {
            // A temporary or expired password opens nothing until it is changed (in the staff console).
            await RecordAsync(session.StaffId.Value, terminal, null, OperationAction.LoginFailed, OperationResult.Refused, "login: password-change-required");
            return PasswordChangeRequired();
        }
        var opened = _sessions.Open(session);
        await RecordAsync(session.StaffId.Value, terminal, null, OperationAction.Login, OperationResult.Success, "login: api");
        return Results.Json(new StaffLoginResponse(opened.Token, opened.ExpiresAt, session.StaffId.Value, session.DisplayName,
            OperationLog.Name(session.Role), session.Role.ToJapanese(), session.AssignedAffairs), JsonDefaults.Options);
    }

    public async Task<IResult> ChooseAffairAsync(HttpContext http)
    {
        var (caller, refusal) = await AuthenticateAsync(http, OperationAction.AffairChosen, "affair");
        if (caller is null) return refusal!;
        var body = await StaffApiBodies.ReadAsync<AffairChoiceRequest>(http);
        if (body.Value is not { } request)
        {
            await RecordAsync(caller, caller.Session.ChosenAffair, OperationAction.AffairChosen, OperationResult.Refused, "affair: refused: " + body.Code);
            return BodyRefused(body);
        }
        StaffSession chosen;
        if (request.AffairCode is null)
        {
            chosen = caller.Session.LeaveAffair();
        }
        else
        {
            try
            {
                chosen = caller.Session.ChooseAffair(request.AffairCode);
            }
            catch (StaffException refused)
            {
                var known = Staff.Catalogue.Find(request.AffairCode)?.Code;
                await RecordAsync(caller, known, OperationAction.AffairChosen, OperationResult.Refused, "affair: " + refused.Code);
                return WardRefusals.Refusal(refused)!;
            }
        }
        _sessions.Update(caller.Token, chosen);
        var decision = NumberVisibility.Decide(chosen, Today);
        await RecordAsync(caller with { Session = chosen }, chosen.ChosenAffair, OperationAction.AffairChosen, OperationResult.Success,
            chosen.ChosenAffair is null ? "affair: left" : $"affair: chosen; numbers={(decision.Visible ? "visible" : "masked")} ({decision.ReasonCode})");
        return Results.Json(State(chosen, decision, caller.ExpiresAt), JsonDefaults.Options);
    }

    public async Task<IResult> CurrentAsync(HttpContext http)
    {
        var (caller, refusal) = await AuthenticateAsync(http, null, "session");
        if (caller is null) return refusal!;
        return Results.Json(State(caller.Session, NumberVisibility.Decide(caller.Session, Today), caller.ExpiresAt), JsonDefaults.Options);
    }

    public async Task<IResult> LogoutAsync(HttpContext http)
    {
        var (caller, refusal) = await AuthenticateAsync(http, OperationAction.Logout, "logout");
        if (caller is null) return refusal!;
        _sessions.Close(caller.Token);
        await RecordAsync(caller, caller.Session.ChosenAffair, OperationAction.Logout, OperationResult.Success, "logout: api");
        return Results.NoContent();
    }

    // ------------------------------------------------------------------ register changes

    public void MapEvent<TRequest>(IEndpointRouteBuilder app, string route, string name, NumberNeed need,
        Func<TRequest, long?> subject, Func<TRequest, CancellationToken, Task<RegisterEventResult>> handler)
        where TRequest : class =>
        app.MapPost("/" + route, async (HttpContext http) =>
        {
            var (caller, refusal) = await AuthenticateAsync(http, OperationAction.Change, name);
            if (caller is null) return refusal!;
            var body = await StaffApiBodies.ReadAsync<TRequest>(http);
            var session = caller.Session;
            var affair = session.ChosenAffair;
            var resident = body.Value is { } parsed ? subject(parsed) : null;
            var decision = NumberVisibility.Decide(session, Today);

            // Register changes only in register affairs (need to know); a number needs a number-using one.
            string? refusedCode = null, refusedMessage = null;
            if (Access(session, ResidentRecordUse.Change) is { Allowed: false } denied)
                (refusedCode, refusedMessage) = (denied.ReasonCode, denied.ProblemMessage);
            else if (body.Value is null)
            {
                await RecordAsync(caller, affair, OperationAction.Change, OperationResult.Refused, Detail(name, null, "refused: " + body.Code));
                return BodyRefused(body);
            }
            else if (need == NumberNeed.Required && !decision.Visible)
                (refusedCode, refusedMessage) = (decision.ReasonCode,
                    $"個人番号を扱う異動は、個人番号を利用できる事務を選択して行ってください: {decision.Message} (this change handles an individual number)");
            if (refusedCode is not null)
            {
                await RecordAsync(caller, affair, OperationAction.Change, OperationResult.Refused, Detail(name, resident, "refused: " + refusedCode), resident);
                return ErrorResponses.Problem(StatusCodes.Status403Forbidden, refusedCode, refusedMessage!);
            }

            RegisterEventResult result;
            try
            {
                result = await handler(body.Value!, http.RequestAborted);
            }
            catch (Exception e) when (WardRefusals.Refusal(e) is { } problem)
            {
                // Input the register refuses (a bound, a missing value) is a refusal; a conflict with the register or J-LIS is a failure.
                var outcome = e is RegisterException r && WardRefusals.IsInputRefusal(r.Code) ? OperationResult.Refused : OperationResult.Failed;
                await RecordAsync(caller, affair, OperationAction.Change, outcome,
                    Detail(name, resident, (outcome == OperationResult.Refused ? "refused: " : "failed: ") + WardRefusals.RefusalCode(e)), resident);
                return problem;
            }
            await RecordAsync(caller, affair, OperationAction.Change, OperationResult.Success,
                Detail(name, result.ResidentId, result.Replayed ? "replayed" : null), result.ResidentId);
            return Results.Json(result, JsonDefaults.Options, statusCode: result.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }).ExchangesJson<TRequest, RegisterEventResult>().Produces<RegisterEventResult>(StatusCodes.Status201Created).RequireStaff(OperationAction.Change, name);

    // ------------------------------------------------------------------ views

    public async Task<IResult> SearchAsync(HttpContext http)
    {
        var (caller, refusal) = await AuthenticateAsync(http, OperationAction.Search, "search");
        if (caller is null) return refusal!;
        var session = caller.Session;
        var affair = session.ChosenAffair;
        var body = await StaffApiBodies.ReadAsync<ResidentSearchRequest>(http);
        var access = Access(session, ResidentRecordUse.Search);
        if (!access.Allowed || body.Value is null)
        {
            var code = access.Allowed ? body.Code : access.ReasonCode;
            await RecordAsync(caller, affair, OperationAction.Search, OperationResult.Refused, $"search: refused: {code}");
            return access.Allowed ? BodyRefused(body) : ErrorResponses.Problem(StatusCodes.Status403Forbidden, access.ReasonCode, access.ProblemMessage);
        }
        var request = body.Value;
        var decision = NumberVisibility.Decide(session, Today);
        var by = request.IndividualNumber is not null ? "number" : Terms(request);
        if (request.Limit is < 1 or > RegisterInputRules.MaxSearchLimit)
        {
            await RecordAsync(caller, affair, OperationAction.Search, OperationResult.Refused, $"search by {by}: refused: bad-limit");
            return ErrorResponses.BadRequest("bad-limit", $"limit must be between 1 and {RegisterInputRules.MaxSearchLimit} (limit は1〜{RegisterInputRules.MaxSearchLimit}で指定してください)");
        }

        if (request.AffairCode is { } asked && !string.Equals(asked.Trim(), affair, StringComparison.OrdinalIgnoreCase))
        {
            await RecordAsync(caller, affair, OperationAction.Search, OperationResult.Refused, $"search by {by}: refused: {ResidenceCertificates.AffairMismatch}");
            return ErrorResponses.Problem(StatusCodes.Status403Forbidden, ResidenceCertificates.AffairMismatch,
                "指定された事務は選択中の事務と異なります。事務を選択し直してください (the affair in the request is not the session's chosen affair)");
        }
        if ((request.IncludeNumbers || request.IndividualNumber is not null) && !decision.Visible)
        {
            await RecordAsync(caller, affair, OperationAction.Search, OperationResult.Refused,
                $"search by {by}; numbers requested: refused: {decision.ReasonCode}");
            return ErrorResponses.Problem(StatusCodes.Status403Forbidden, decision.ReasonCode, decision.Message);
        }

        List<ResidentSearchHit> hits;
        try
        {
            if (request.IndividualNumber is { } number)
            {
                var found = await register.FindByNumberAsync(number, http.RequestAborted);
                hits = found is not null && (request.IncludeFormerResidents || found.Status == RegisterStatus.Resident)
                    ? [new ResidentSearchHit(found.Id, found.Name.Full, found.Name.FullKana, found.BirthDate, found.Sex, found.Address,
                        found.HouseholdNumber, found.Status, request.IncludeNumbers ? found.IndividualNumber : null)]
                    : [];
            }
            else
            {
                var summaries = await register.SearchAsync(new ResidentSearch(request.Name, request.Kana, request.BirthDate, request.IncludeFormerResidents,
                    request.Limit), http.RequestAborted);
                hits = new List<ResidentSearchHit>(summaries.Count);
                foreach (var s in summaries)
                    hits.Add(new ResidentSearchHit(s.ResidentId, s.Name, s.Kana, s.BirthDate, s.Sex, s.Address, s.HouseholdNumber, s.Status,
                        request.IncludeNumbers ? (await register.FindAsync(s.ResidentId, http.RequestAborted))?.IndividualNumber : null));
            }
        }
        catch (RegisterException e)
        {
            await RecordAsync(caller, affair, OperationAction.Search, OperationResult.Refused, $"search by {by}: refused: {e.Code}");
            return WardRefusals.Refusal(e)!;
        }
        var numbers = request.IncludeNumbers ? "shown" : "not-requested";
        await RecordAsync(caller, affair, OperationAction.Search, OperationResult.Success,
            $"search by {by}; hits={hits.Count}; numbers={numbers}; {Ids(hits.Select(h => h.ResidentId))}");
        return Results.Json(hits, JsonDefaults.Options);
    }

    public async Task<IResult> CertificateAsync(HttpContext http)
    {
        var (caller, refusal) = await AuthenticateAsync(http, OperationAction.View, "certificate");
        if (caller is null) return refusal!;
        var affair = caller.Session.ChosenAffair;
        var body = await StaffApiBodies.ReadAsync<ResidenceCertificateRequest>(http);
        var access = Access(caller.Session, ResidentRecordUse.View);
        if (!access.Allowed || body.Value is null)
        {
            var code = access.Allowed ? body.Code : access.ReasonCode;
            await RecordAsync(caller, affair, OperationAction.View, OperationResult.Refused, Detail("residence certificate", body.Value?.ResidentId, "refused: " + code),
                body.Value?.ResidentId);
            return access.Allowed ? BodyRefused(body) : ErrorResponses.Problem(StatusCodes.Status403Forbidden, access.ReasonCode, access.ProblemMessage);
        }
        var request = body.Value;
        var kind = request.WholeHousehold ? "residence certificate (household)" : "residence certificate";
        ResidenceCertificate certificate;
        try
        {
            certificate = certificates.Build(request, NumberVisibility.Decide(caller.Session, Today));
        }
        catch (AffairNumberUseRefusedException e)
        {
            await RecordAsync(caller, affair, OperationAction.View, OperationResult.Refused,
                Detail(kind, request.ResidentId, (request.IncludeNumber ? "numbers requested: " : "") + "refused: " + e.Code), request.ResidentId);
            return WardRefusals.Refusal(e)!;
        }
        catch (RegisterException e)
        {
            await RecordAsync(caller, affair, OperationAction.View, OperationResult.Failed, Detail(kind, request.ResidentId, "failed: " + e.Code), request.ResidentId);
            return WardRefusals.Refusal(e)!;
        }
        await RecordAsync(caller, affair, OperationAction.View, OperationResult.Success,
            Detail(kind, request.ResidentId, $"numbers={(certificate.NumbersIncluded ? "included" : "not-included")}; {Ids(certificate.Entries.Select(e => e.ResidentId))}"),
            request.ResidentId);
        return Results.Json(certificate, JsonDefaults.Options);
    }

    /// <summary>
    /// A certificate as a PDF, issued as at the counter (<see cref="CounterCertificates"/>): need to know for the chosen
    /// affair (view), numbers only on request while visible, tax certificates only in <see cref="CounterCertificates.TaxAffair"/>;
    /// recorded in the issuance ledger and, issued or refused, in the operation log (export).
    /// </summary>
    public async Task<IResult> CertificatePdfAsync(HttpContext http)
    {
        var (caller, refusal) = await AuthenticateAsync(http, OperationAction.Export, "certificate pdf");
        if (caller is null) return refusal!;
        var affair = caller.Session.ChosenAffair;
        var body = await StaffApiBodies.ReadAsync<CertificatePdfRequest>(http);
        var access = Access(caller.Session, ResidentRecordUse.View);
        var resident = body.Value?.ResidentId;
        if (!access.Allowed || body.Value is null)
        {
            var code = access.Allowed ? body.Code : access.ReasonCode;
            await RecordAsync(caller, affair, OperationAction.Export, OperationResult.Refused, Detail("certificate pdf", resident, "refused: " + code), resident);
            return access.Allowed ? BodyRefused(body) : ErrorResponses.Problem(StatusCodes.Status403Forbidden, access.ReasonCode, access.ProblemMessage);
        }
        var request = body.Value;
        var known = CertificateKinds.TryParse(request.Kind, out var kind)
            && kind is CertificateKind.ResidenceRecord or CertificateKind.TaxAssessment or CertificateKind.TaxPayment;
        var what = known ? kind.Code() + " certificate pdf" : "certificate pdf";
        if (!known || !CertificateRequesters.TryParse(request.Requester, out var requester))
        {
            var field = known ? "requester" : "kind";
            await RecordAsync(caller, affair, OperationAction.Export, OperationResult.Refused, Detail(what, resident, "refused: bad-field " + field), resident);
            return ErrorResponses.BadRequest("bad-field", known
                ? "requester: self, household-member or agent (請求者は self, household-member, agent のいずれかです)"
                : "kind: juminhyo, kazei or nozei (証明書の種類は juminhyo, kazei, nozei のいずれかです)");
        }
        IssuedCertificate issued;
        try
        {
            if (kind == CertificateKind.ResidenceRecord)
            {
                var residence = new ResidenceCertificateRequest(request.ResidentId, request.WholeHousehold, request.IncludeNumber)
                {
                    Members = request.Members,
                    IncludeResidentCode = request.IncludeResidentCode,
                };
                var options = new ResidenceRecordOptions(request.WithRelationship, requester, request.Copies);
                CounterCertificates.CheckOptions(residence, options);
                var data = certificates.Build(residence, NumberVisibility.Decide(caller.Session, Today));
                issued = Counter.IssueResidenceRecord(data, residence, options, caller.Session.StaffId.Value, caller.Terminal, affair);
            }
            else
            {
                issued = Taxes.Issue(new TaxCertificateRequest(kind, request.ResidentId, request.FiscalYear, requester, request.Copies), Today,
                    caller.Session.StaffId.Value, caller.Terminal, affair);
            }
        }
        catch (Exception e) when (WardRefusals.Refusal(e) is { } problem)
        {
            var outcome = e is RegisterException { Code: "unknown-resident" or ResidenceCertificates.RecordInvalid or TaxCertificates.NoTaxRecord }
                ? OperationResult.Failed : OperationResult.Refused;
            await RecordAsync(caller, affair, OperationAction.Export, outcome, Detail(what, resident,
                (request.IncludeNumber || request.IncludeResidentCode ? "numbers requested: " : "") + (outcome == OperationResult.Failed ? "failed: " : "refused: ")
                + WardRefusals.RefusalCode(e)), resident);
            return problem;
        }
        catch (DocumentFontMissingException)
        {
            await RecordAsync(caller, affair, OperationAction.Export, OperationResult.Failed, Detail(what, resident, "failed: " + DocumentFontMissingException.Code), resident);
            return ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, DocumentFontMissingException.Code,
                "the Japanese font is not installed; ask the administrator (日本語フォントが導入されていないため、証明書を作成できません)");
        }
        await RecordAsync(caller, affair, OperationAction.Export, OperationResult.Success, Detail(what, resident,
            $"{issued.Certificate.Serial.Text}; copies={issued.Copies}; fee={issued.FeeYen}; numbers={(issued.NumbersIncluded ? "included" : "not-included")}; {Ids(issued.ResidentIds)}"),
            resident);
        return Results.File(issued.Pdf, "application/pdf", $"{kind.Code()}-{issued.LedgerId.ToString(CultureInfo.InvariantCulture)}.pdf");
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>
    /// The caller's session from <c>Authorization: Bearer …</c>, refreshed from the staff directory (a disabled or locked
    /// account ends it). Without one: 401, recorded as refused (staff <see cref="WardModule.AnonymousStaff"/>) when
    /// <paramref name="action"/> is given.
    /// </summary>
    private async Task<(Caller? Caller, IResult? Refusal)> AuthenticateAsync(HttpContext http, OperationAction? action, string what)
    {
        var terminal = Terminal(http);
        var token = BearerToken(http.Request);
        var found = _sessions.Find(token);
        if (token is null || found is null)
        {
            var code = token is null ? "no-session" : "session-expired";
            if (action is { } refusedAction)
                await RecordAsync(WardModule.AnonymousStaff, terminal, null, refusedAction, OperationResult.Refused, $"{what}: refused: {code}");
            return (null, Unauthorized(http, code, token is null
                ? "職員としてログインし、Authorization: Bearer でトークンを送ってください (staff session required)"
                : "セッションが無効か期限切れです。もう一度ログインしてください (session expired or ended)"));
        }
        var refreshed = Staff.Refresh(found.Session);
        if (refreshed is null)
        {
            _sessions.Close(token);
            if (action is { } refusedAction)
                await RecordAsync(found.Session.StaffId.Value, terminal, null, refusedAction, OperationResult.Refused, $"{what}: refused: account-unavailable");
            return (null, Unauthorized(http, "account-unavailable", "このアカウントは現在利用できません (account disabled or locked)"));
        }
        if (refreshed.MustChangePassword)
        {
            // The password expired, or an administrator reset it, while the session was open: the session ends as a login would be refused.
            _sessions.Close(token);
            if (action is { } refusedAction)
                await RecordAsync(found.Session.StaffId.Value, terminal, null, refusedAction, OperationResult.Refused, $"{what}: refused: password-change-required");
            return (null, PasswordChangeRequired());
        }
        _sessions.Update(token, refreshed, found.Session);
        return (new Caller(refreshed, token, found.ExpiresAt, terminal), null);
    }

    /// <summary>The principal of a request whose bearer token names a live session (<see cref="StaffApiAccess"/>), else null.</summary>
    internal System.Security.Claims.ClaimsPrincipal? SessionPrincipal(HttpContext http) =>
        BearerToken(http.Request) is { } token && _sessions.Find(token) is { } found
            ? RouteAccess.SessionPrincipal(StaffApiAccess.Scheme, found.Session.StaffId.Value, new System.Security.Claims.Claim(CallerClaims.Staff, found.Session.StaffId.Value))
            : null;

    /// <summary>Refuses a request without a live session as the handler would have: 401, recorded as the route says.</summary>
    internal async Task ChallengeAsync(HttpContext http)
    {
        var route = http.GetEndpoint()?.Metadata.GetMetadata<StaffRoute>();
        var (_, refusal) = await AuthenticateAsync(http, route?.Action, route?.What ?? "staff");
        if (refusal is not null) await refusal.ExecuteAsync(http);
    }

    /// <summary>A temporary or expired password opens nothing until it is changed (in the staff console).</summary>
    private static IResult PasswordChangeRequired() => ErrorResponses.Problem(StatusCodes.Status403Forbidden, "password-change-required",
        "パスワードの変更が必要です。職員用画面でパスワードを変更してください (password-change-required)");

    private static IResult Unauthorized(HttpContext http, string code, string message)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorResponses.Problem(StatusCodes.Status401Unauthorized, code, message);
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header (exactly one), or null. Tokens are read from nowhere else.</summary>
    private static string? BearerToken(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header) return null;
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>The terminal for the log: <c>&lt;X-Renkei-Terminal&gt;@&lt;client address&gt;</c>, or <c>api@&lt;client address&gt;</c>.</summary>
    internal static string Terminal(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var name = "api";
        var header = http.Request.Headers[MunicipalityRoutes.TerminalHeader];
        if (header.Count == 1 && header[0] is { Length: >= 1 and <= 32 } given
            && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-')
            && !PersonalNumberGuard.ContainsIndividualNumber(given) && !PersonalNumberGuard.ContainsResidentCode(given))
            name = given;
        var terminal = name + "@" + address;
        return terminal.Length > OperationLogEntry.MaxIdLength ? terminal[..OperationLogEntry.MaxIdLength] : terminal;
    }

    /// <summary>The id a failed login is recorded under: the id as typed if it is a well-formed staff id (and not a number), else "invalid-id".</summary>
    private static string LoggableStaffId(string? typed) =>
        StaffId.TryParse(typed, out var id) && !PersonalNumberGuard.ContainsIndividualNumber(id.Value) && !PersonalNumberGuard.ContainsResidentCode(id.Value)
            ? id.Value
            : "invalid-id";

    private static string OutcomeCode(AuthenticationOutcome outcome) => outcome switch
    {
        AuthenticationOutcome.InvalidCredentials => "invalid-credentials",
        AuthenticationOutcome.SecondFactorFailed => "second-factor-failed",
        AuthenticationOutcome.Locked => "locked",
        AuthenticationOutcome.Disabled => "disabled",
        _ => "login-failed",
    };

    private static StaffSessionState State(StaffSession session, NumberVisibilityDecision decision, DateTimeOffset expiresAt) =>
        new(session.StaffId.Value, session.DisplayName, OperationLog.Name(session.Role), session.AssignedAffairs, session.ChosenAffair,
            decision.Visible, decision.ReasonCode, decision.Message, expiresAt);

    private Task RecordAsync(Caller caller, string? affair, OperationAction action, OperationResult result, string detail, long? residentId = null) =>
        RecordAsync(caller.Session.StaffId.Value, caller.Terminal, affair, action, result, detail, residentId);

    /// <summary>
    /// Writes one entry and waits until it is committed: nothing is answered that the log does not hold. The person is
    /// named by integrated addressee number (団体内統合宛名番号) when they have one; the detail keeps the register id.
    /// </summary>
    private async Task RecordAsync(string staffId, string terminal, string? affair, OperationAction action, OperationResult result, string detail,
        long? residentId = null)
    {
        var addressee = residentId is { } id ? (await _addressee.ForResidentAsync(id))?.ToInt64() : null;
        await Log.AppendAsync(new OperationLogEntry(staffId, Now, terminal, affair, addressee, action, result, detail));
    }

    private static string Detail(string what, long? resident, string? note)
    {
        var text = new StringBuilder(what);
        if (resident is { } id) text.Append("; resident-id=").Append(id.ToString(CultureInfo.InvariantCulture));
        if (note is not null) text.Append("; ").Append(note);
        return text.ToString();
    }

    /// <summary>The resident ids a response showed (at most <see cref="MaxIdsInDetail"/>, then a count of the rest).</summary>
    private static string Ids(IEnumerable<long> ids)
    {
        var list = ids.ToList();
        var shown = string.Join(",", list.Take(MaxIdsInDetail).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return "resident-ids=" + shown + (list.Count > MaxIdsInDetail ? $" (+{list.Count - MaxIdsInDetail} more)" : "");
    }

    private static string Terms(ResidentSearchRequest request)
    {
        var terms = new List<string>();
        if (!string.IsNullOrWhiteSpace(request.Name)) terms.Add("name");
        if (!string.IsNullOrWhiteSpace(request.Kana)) terms.Add("kana");
        if (request.BirthDate is not null) terms.Add("birth-date");
        return terms.Count == 0 ? "nothing" : string.Join("+", terms);
    }

    /// <summary>The need-to-know decision for this session today (<see cref="ResidentRecordAccess"/>, the one rule).</summary>
    private ResidentRecordAccessDecision Access(StaffSession session, ResidentRecordUse use) => ResidentRecordAccess.Decide(session, use, Today);

    private static IResult BodyRefused<T>(StaffApiBody<T> body) where T : class => ErrorResponses.Problem(body.Status, body.Code!, body.Message!);
}
