using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.Infrastructure.Tls;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.EApplications;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tokens;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.Service;

/// <summary>
/// How to run one municipality's node.
/// </summary>
/// <param name="Jlis">J-LIS's address and the ward's institution key directory (requests to J-LIS are signed as the ward).</param>
/// <param name="Staff">The ward's staff accounts; its <see cref="StaffDirectory.Catalogue"/> is the affair catalogue the service decides number use with.</param>
/// <param name="OperationLog">
/// The ward's operation log opened for writing (<see cref="Audit.OperationLog.Open"/>, in the CLI
/// <c>AuditCommands.OpenOperationLog(layout, code)</c>). The caller owns it (it may share it with the ward's staff console
/// in the same process) and disposes it after the service.
/// </param>
public sealed record MunicipalityServiceOptions(
    Database Database,
    LocalGovernmentCode Code,
    string Name,
    WardJlisOptions Jlis,
    StaffDirectory Staff,
    OperationLog OperationLog,
    int Port = 0,
    string Address = "127.0.0.1")
{
    /// <summary>The clock for logins (TOTP), session expiry, the day number use is decided for, and log times.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>A session unused this long ends (sliding: every request extends it).</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Mutual TLS on the network CA's certificates (deployments): the service listens with it and calls J-LIS with the
    /// ward's certificate; null: plain HTTP. The caller disposes it.
    /// </summary>
    public MutualTls? Tls { get; init; }

    /// <summary>Serves the browsable API reference page (<see cref="ServiceHostOptions.ApiReference"/>): the demo.</summary>
    public bool ApiReference { get; init; }

    /// <summary>
    /// The ward as an institution on the network (符号取得): with it, a birth or arrival that records a person's number also
    /// acquires the ward's token for the person (<see cref="Tokens.NewResidentTokens"/>); null: no tokens are acquired.
    /// Without its own <see cref="WardTokenOptions.OutgoingHandler"/> it uses <see cref="Tls"/>.
    /// </summary>
    public WardTokenOptions? Tokens { get; init; }

    /// <summary>
    /// The citizen portals (マイナポータル) whose forwarded e-applications the ward's inbox takes: each portal's code and signing
    /// public key, pinned here as an intermediate server pins the network's. The portal is identified by its request
    /// signature (and its node certificate when deployed) before the resident's own signature is checked; empty: the
    /// inbox answers 503 <c>institution-calls-not-configured</c>.
    /// </summary>
    public IReadOnlyList<KnownInstitution> EApplicationPortals { get; init; } = [];
}

/// <summary>
/// One municipality's resident-register service (住民基本台帳) over HTTP on Kestrel. It talks to J-LIS only through
/// <see cref="JlisHttpClient"/> at <see cref="MunicipalityServiceOptions.Jlis"/>, signing as the ward.
/// <para>Staff log in with id, password and TOTP code (<c>POST /staff/sessions</c>) and send the token they get as
/// <c>Authorization: Bearer …</c>; every endpoint that reads or changes personal information answers 401 without it. They
/// choose the affair they act in (<c>POST /staff/sessions/affair</c>). Whether any response carries individual numbers is
/// decided only by <see cref="NumberVisibility.Decide"/> for the session on the day (DESIGN.md rule 7): asking for numbers
/// when they are masked is refused with the reason (403), never silently masked. Whether a session may search residents,
/// read a resident's record (certificate data: household, 続柄, moves) or change the register is decided only by
/// <see cref="ResidentRecordAccess.Decide"/> from the chosen affair's need to know in the affair catalogue (403 with the
/// reason otherwise); changes that carry or change a number (arrival, number change) also need a number-using affair.</para>
/// <para>Every body is read by <see cref="StaffApiBodies"/> before anything is decided: at most 64 KiB (413), required
/// fields present (400 naming the field), values of the right form; the register then checks its bounds
/// (<see cref="RegisterInputRules"/>). No refusal repeats what was sent.</para>
/// <para>Every login (and failed login), logout, affair choice, search, certificate and register change is written to the
/// ward's operation log — refusals too — before the response is sent: staff id, time, terminal, affair, action, result.
/// The person is the entry's subject by integrated addressee number (when they have one yet); the detail also carries the
/// register's resident id (<c>resident-id=…</c>); never a number.</para>
/// </summary>
public static class MunicipalityService
{
    /// <summary>The staff id recorded for requests without a valid session.</summary>
    public const string AnonymousStaff = "anonymous";

    /// <summary>The class a <see cref="MunicipalityServiceOptions.EApplicationPortals"/> entry must have (the registry's <c>Portal</c>).</summary>
    public const string EApplicationPortalClass = nameof(Renkei.Network.Contracts.InstitutionClass.Portal);

    public static Task<ServiceHost> StartAsync(MunicipalityServiceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Staff);
        ArgumentNullException.ThrowIfNull(options.OperationLog);
        if (options.OperationLog.Municipality != options.Code)
            throw new ArgumentException("the operation log belongs to another municipality", nameof(options));

        var register = new ResidentRegister(options.Database, options.Code);
        var jlis = new WardJlisConnection(options.Code, options.Jlis.OutgoingHandler is null && options.Tls is { } jlisTls
            ? options.Jlis with { OutgoingHandler = jlisTls.CreateHandler }
            : options.Jlis);
        var events = new RegisterEvents(register, jlis.Numbering, options.Clock);
        var api = new StaffApi(options, register, new ResidenceCertificates(register, options.Staff.Catalogue, options.Clock));
        var tokenClients = options.Tokens is { } tokenOptions
            ? new WardTokenClients(options.Code, tokenOptions.OutgoingHandler is null && options.Tls is { } tls
                ? tokenOptions with { OutgoingHandler = tls.CreateHandler }
                : tokenOptions)
            : null;

        return ServiceHost.StartAsync(
            $"municipality-{options.Code.Digits}",
            builder =>
            {
                var services = builder.Services;
                StaffApiAccess.AddScheme(services, api);
            },
            app =>
            {
                app.Lifetime.ApplicationStopped.Register(jlis.Dispose);
                if (tokenClients is not null)
                {
                    var tokens = new NewResidentTokens(register, new AddresseeSystem(register, options.OperationLog, new AddresseeSystemOptions { Clock = options.Clock }),
                        tokenClients.Acquirer, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Renkei.Municipality.Tokens"));
                    events.NumberRecorded = tokens.OnNumberRecordedAsync;
                    app.Lifetime.ApplicationStopped.Register(tokenClients.Dispose);
                }
                app.MapGet("/" + MunicipalityRoutes.Health, () => Results.Json(new MunicipalityHealth("ok", options.Code.Digits, options.Name)))
                    .Produces<MunicipalityHealth>()
                    .AllowPublic("health check for operators and load balancers (no personal data)");
                app.MapPost("/" + MunicipalityRoutes.StaffSessions, Handler(api.LoginAsync)).ExchangesJson<StaffLoginRequest, StaffLoginResponse>()
                    .AllowPublic("staff login (id, password and one-time code; every attempt is logged)");
                app.MapPost("/" + MunicipalityRoutes.StaffSessionAffair, Handler(api.ChooseAffairAsync)).ExchangesJson<AffairChoiceRequest, StaffSessionState>().RequireStaff(OperationAction.AffairChosen, "affair");
                app.MapGet("/" + MunicipalityRoutes.StaffSessionCurrent, Handler(api.CurrentAsync)).Produces<StaffSessionState>().RequireStaff(null, "session");
                app.MapDelete("/" + MunicipalityRoutes.StaffSessionCurrent, Handler(api.LogoutAsync)).Produces(StatusCodes.Status204NoContent).RequireStaff(OperationAction.Logout, "logout");
                api.MapEvent<BirthRequest>(app, MunicipalityRoutes.Births, "birth", NumberNeed.None, _ => null, events.BirthAsync);
                api.MapEvent<ArrivalRequest>(app, MunicipalityRoutes.Arrivals, "arrival", NumberNeed.Required, _ => null, events.ArrivalAsync);
                api.MapEvent<ArrivalFromAbroadRequest>(app, MunicipalityRoutes.ArrivalsFromAbroad, "arrival-from-abroad", NumberNeed.None, _ => null,
                    events.ArrivalFromAbroadAsync);
                api.MapEvent<DepartureRequest>(app, MunicipalityRoutes.Departures, "departure", NumberNeed.None, r => r.ResidentId, events.DepartureAsync);
                api.MapEvent<DeathRequest>(app, MunicipalityRoutes.Deaths, "death", NumberNeed.None, r => r.ResidentId, events.DeathAsync);
                api.MapEvent<AddressChangeRequest>(app, MunicipalityRoutes.AddressChanges, "address-change", NumberNeed.None, r => r.ResidentId,
                    events.AddressChangeAsync);
                api.MapEvent<NameChangeRequest>(app, MunicipalityRoutes.NameChanges, "name-change", NumberNeed.None, r => r.ResidentId, events.NameChangeAsync);
                api.MapEvent<HouseholdChangeRequest>(app, MunicipalityRoutes.HouseholdChanges, "household-change", NumberNeed.None, r => r.ResidentId,
                    events.HouseholdChangeAsync);
                api.MapEvent<HeadChangeRequest>(app, MunicipalityRoutes.HeadChanges, "head-change", NumberNeed.None, r => r.NewHeadResidentId,
                    events.HeadChangeAsync);
                api.MapEvent<NumberChangeRequest>(app, MunicipalityRoutes.NumberChanges, "number-change", NumberNeed.Required, r => r.ResidentId,
                    events.ChangeNumberAsync);
                app.MapPost("/" + MunicipalityRoutes.Search, Handler(api.SearchAsync)).ExchangesJson<ResidentSearchRequest, List<ResidentSearchHit>>().RequireStaff(OperationAction.Search, "search");
                app.MapPost("/" + MunicipalityRoutes.ResidenceCertificate, Handler(api.CertificateAsync)).ExchangesJson<ResidenceCertificateRequest, ResidenceCertificate>().RequireStaff(OperationAction.View, "certificate");
                var inbox = new EApplicationInbox(new ApplicationStore(options.Database),
                    new AddresseeSystem(register, options.OperationLog, new AddresseeSystemOptions { Clock = options.Clock, Terminal = EApplicationInbox.Terminal }),
                    new JpkiRelyingParty(jlis.Pki, new JpkiRelyingPartyOptions { Clock = options.Clock }), options.Clock);
                if (options.EApplicationPortals.Count > 0)
                    app.Services.UseInstitutionCallers(options.Code.Digits, new FixedInstitutions([.. options.EApplicationPortals]), options.Clock);
                app.MapPost("/" + MunicipalityRoutes.EApplications, Handler(context => EApplicationEndpoint.HandleAsync(context, inbox)))
                    .ExchangesJson<EApplicationSubmission, EApplicationReceipt>()
                    .RequireInstitution("the citizen portal, forwarding an application the resident signed with the card (the resident's signature is checked too)",
                        EApplicationPortalClass);
            },
            new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference },
            ct);
    }

    internal enum NumberNeed { None, Required }

    /// <summary>A handler whose <see cref="IResult"/> is written to the response (a bare method group would bind as a RequestDelegate).</summary>
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>Expected refusals as problem bodies; their messages are written never to contain numbers.</summary>
    internal static IResult? Refusal(Exception e) => e switch
    {
        RegisterException r => ErrorResponses.Problem(StatusFor(r.Code), r.Code, r.Message),
        AffairNumberUseRefusedException n => ErrorResponses.Problem(StatusCodes.Status403Forbidden, n.Code, n.Message),
        JlisException j => ErrorResponses.Problem(StatusCodes.Status502BadGateway, "jlis-" + j.Code, e.Message),
        HttpRequestException => ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "jlis-unreachable",
            "J-LIS could not be reached; send the same request again later (J-LISに接続できません)"),
        _ => null,
    };

    internal static string? RefusalCode(Exception e) => e switch
    {
        RegisterException r => r.Code,
        AffairNumberUseRefusedException n => n.Code,
        JlisException j => "jlis-" + j.Code,
        HttpRequestException => "jlis-unreachable",
        _ => null,
    };

    /// <summary>Register refusals caused by the request's own values (missing, out of bounds, malformed), logged as refused rather than failed.</summary>
    internal static bool IsInputRefusal(string code) => StatusFor(code) == StatusCodes.Status400BadRequest;

    private static int StatusFor(string code) => code switch
    {
        "unknown-resident" or "unknown-household" => StatusCodes.Status404NotFound,
        "already-registered" or "head-exists" or "request-id-reused" or "number-in-use" or "not-resident" or "deceased" => StatusCodes.Status409Conflict,
        "number-mismatch" or "number-superseded" or "no-number-designated" => StatusCodes.Status422UnprocessableEntity,
        ResidenceCertificates.RecordInvalid => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };
}

/// <summary>The staff-facing handlers: sessions, the access decisions and the operation-log entries of each request.</summary>
internal sealed class StaffApi(MunicipalityServiceOptions options, ResidentRegister register, ResidenceCertificates certificates)
{
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);
    private const int MaxIdsInDetail = 100;

    private readonly StaffApiSessions _sessions = new(options.Clock, options.SessionIdleTimeout);
    private readonly AddresseeSystem _addressee = new(register, options.OperationLog);
    private StaffDirectory Staff => options.Staff;
    private OperationLog Log => options.OperationLog;
    private DateTimeOffset Now => options.Clock.GetUtcNow();

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
            await RecordAsync(MunicipalityService.AnonymousStaff, terminal, null, OperationAction.LoginFailed, OperationResult.Refused, "login: refused: " + body.Code);
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
                return ErrorResponses.Problem(StatusCodes.Status403Forbidden, refused.Code, refused.Message);
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

    public void MapEvent<TRequest>(IEndpointRouteBuilder app, string route, string name, MunicipalityService.NumberNeed need,
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
            else if (need == MunicipalityService.NumberNeed.Required && !decision.Visible)
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
            catch (Exception e) when (MunicipalityService.Refusal(e) is { } problem)
            {
                // Input the register refuses (a bound, a missing value) is a refusal; a conflict with the register or J-LIS is a failure.
                var outcome = e is RegisterException r && MunicipalityService.IsInputRefusal(r.Code) ? OperationResult.Refused : OperationResult.Failed;
                await RecordAsync(caller, affair, OperationAction.Change, outcome,
                    Detail(name, resident, (outcome == OperationResult.Refused ? "refused: " : "failed: ") + MunicipalityService.RefusalCode(e)), resident);
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
                var found = register.FindByNumber(number);
                hits = found is not null && (request.IncludeFormerResidents || found.Status == RegisterStatus.Resident)
                    ? [new ResidentSearchHit(found.Id, found.Name.Full, found.Name.FullKana, found.BirthDate, found.Sex, found.Address,
                        found.HouseholdNumber, found.Status, request.IncludeNumbers ? found.IndividualNumber : null)]
                    : [];
            }
            else
            {
                var summaries = register.Search(new ResidentSearch(request.Name, request.Kana, request.BirthDate, request.IncludeFormerResidents, request.Limit));
                hits = summaries.Select(s => new ResidentSearchHit(s.ResidentId, s.Name, s.Kana, s.BirthDate, s.Sex, s.Address, s.HouseholdNumber, s.Status,
                    request.IncludeNumbers ? register.Find(s.ResidentId)?.IndividualNumber : null)).ToList();
            }
        }
        catch (RegisterException e)
        {
            await RecordAsync(caller, affair, OperationAction.Search, OperationResult.Refused, $"search by {by}: refused: {e.Code}");
            return MunicipalityService.Refusal(e)!;
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
            return MunicipalityService.Refusal(e)!;
        }
        catch (RegisterException e)
        {
            await RecordAsync(caller, affair, OperationAction.View, OperationResult.Failed, Detail(kind, request.ResidentId, "failed: " + e.Code), request.ResidentId);
            return MunicipalityService.Refusal(e)!;
        }
        await RecordAsync(caller, affair, OperationAction.View, OperationResult.Success,
            Detail(kind, request.ResidentId, $"numbers={(certificate.NumbersIncluded ? "included" : "not-included")}; {Ids(certificate.Entries.Select(e => e.ResidentId))}"),
            request.ResidentId);
        return Results.Json(certificate, JsonDefaults.Options);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>
    /// The caller's session from <c>Authorization: Bearer …</c>, refreshed from the staff directory (a disabled or locked
    /// account ends it). Without one: 401, recorded as refused (staff <see cref="MunicipalityService.AnonymousStaff"/>) when
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
                await RecordAsync(MunicipalityService.AnonymousStaff, terminal, null, refusedAction, OperationResult.Refused, $"{what}: refused: {code}");
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
        _sessions.Update(token, refreshed);
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
    private Task RecordAsync(string staffId, string terminal, string? affair, OperationAction action, OperationResult result, string detail,
        long? residentId = null) =>
        Log.AppendAsync(new OperationLogEntry(staffId, Now, terminal, affair,
            residentId is { } id ? _addressee.ForResident(id)?.ToInt64() : null, action, result, detail));

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
