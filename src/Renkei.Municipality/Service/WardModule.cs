using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.EApplications;
using Renkei.Municipality.Kiosk;
using Renkei.Municipality.Seals;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tokens;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.Service;

/// <summary>
/// One municipality's resident-register service (住民基本台帳) as a module: it adds and maps itself. It talks to J-LIS only
/// through <see cref="JlisHttpClient"/> at <see cref="WardOptions.JlisAddress"/>, signing as the ward.
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
public static class WardModule
{
    /// <summary>The staff id recorded for requests without a valid session.</summary>
    public const string AnonymousStaff = "anonymous";

    /// <summary>The class a <see cref="WardOptions.EApplicationPortals"/> entry has (the registry's <c>Portal</c>).</summary>
    public const string EApplicationPortalClass = nameof(Renkei.Network.Contracts.InstitutionClass.Portal);

    /// <summary>
    /// Binds and validates <see cref="WardOptions"/> (section <c>Ward</c>) and registers the ward's register, its signed
    /// clients of J-LIS (and of its intermediate server when it acquires tokens), the staff API and the e-application inbox,
    /// each a singleton the container disposes. The composer registers the <see cref="StaffDirectory"/> and the
    /// <see cref="OperationLog"/> first (and, to override the defaults, a <see cref="Database"/>, a <see cref="TimeProvider"/>,
    /// <see cref="MutualTls"/> or <see cref="WardOutgoing"/>).
    /// </summary>
    public static WebApplicationBuilder AddWard(this WebApplicationBuilder builder)
    {
        var services = builder.AddModuleOptions<WardOptions>(WardOptions.Section,
            (databaseRegistered, sp) => new WardOptionsValidator(databaseRegistered, sp), o => o.Database);
        services.TryAddSingleton(new WardOutgoing());

        services.AddSingleton(sp => new ResidentRegister(sp.GetRequiredService<Database>(), Code(sp)));
        services.AddSingleton(sp =>
        {
            var (options, outgoing) = (Options(sp), sp.GetRequiredService<WardOutgoing>());
            return new WardJlisConnection(Code(sp), new WardJlisOptions(options.JlisAddress!, options.KeyDirectory!)
            {
                OutgoingHandler = outgoing.JlisHandler ?? DefaultHandler(sp), Timeout = options.JlisTimeout, Clock = outgoing.JlisClock,
            });
        });
        // Resolved only when the ward acquires tokens (Ward:Tokens:IntermediateAddress).
        services.AddSingleton(sp =>
        {
            var (options, outgoing) = (Options(sp), sp.GetRequiredService<WardOutgoing>());
            var tokens = options.Tokens;
            return new WardTokenClients(Code(sp), new WardTokenOptions(tokens.JlisAddress ?? options.JlisAddress!,
                tokens.IntermediateAddress ?? throw new InvalidOperationException("Ward:Tokens:IntermediateAddress is not set"),
                tokens.KeyDirectory ?? options.KeyDirectory!)
            {
                OutgoingHandler = outgoing.TokenHandler ?? DefaultHandler(sp), Timeout = tokens.Timeout, Clock = outgoing.TokenClock,
            });
        });
        services.AddSingleton(sp =>
        {
            var (register, clock) = (sp.GetRequiredService<ResidentRegister>(), sp.GetRequiredService<TimeProvider>());
            var events = new RegisterEvents(register, sp.GetRequiredService<WardJlisConnection>().Numbering, clock);
            if (sp.GetService<CopyFeedWorker>() is { } feed) events.Committed = feed.Wake;
            if (Options(sp).Tokens.IntermediateAddress is not null)
                events.NumberRecorded = new NewResidentTokens(register,
                    new AddresseeSystem(register, sp.GetRequiredService<OperationLog>(), new AddresseeSystemOptions { Clock = clock }),
                    sp.GetRequiredService<WardTokenClients>().Acquirer,
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("Renkei.Municipality.Tokens")).OnNumberRecordedAsync;
            return events;
        });
        services.AddSingleton(sp => new WardCertificateSigner(Options(sp).KeyDirectory!, Code(sp), Options(sp).Name!,
            () => sp.GetRequiredService<WardJlisConnection>().Paper, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<SignerAtStart>();
        services.AddSingleton(sp =>
        {
            var (register, staff, clock) = (sp.GetRequiredService<ResidentRegister>(), sp.GetRequiredService<StaffDirectory>(), sp.GetRequiredService<TimeProvider>());
            var options = Options(sp);
            return new StaffApi(staff, sp.GetRequiredService<OperationLog>(), register, new ResidenceCertificates(register, staff.Catalogue, clock), clock,
                options.SessionIdleTimeout, CertificateSettings(sp));
        });
        services.AddSingleton(sp =>
        {
            var (register, clock) = (sp.GetRequiredService<ResidentRegister>(), sp.GetRequiredService<TimeProvider>());
            return new EApplicationInbox(new ApplicationStore(sp.GetRequiredService<Database>()),
                new AddresseeSystem(register, sp.GetRequiredService<OperationLog>(), new AddresseeSystemOptions { Clock = clock, Terminal = EApplicationInbox.Terminal }),
                new JpkiRelyingParty(sp.GetRequiredService<WardJlisConnection>().Pki, new JpkiRelyingPartyOptions { Clock = clock }), clock);
        });
        services.AddSingleton(sp => new PinnedPortals(Options(sp).EApplicationPortals, Options(sp).IssuanceCentre));
        services.AddSingleton(sp =>
        {
            var (register, clock, options) = (sp.GetRequiredService<ResidentRegister>(), sp.GetRequiredService<TimeProvider>(), Options(sp));
            var log = sp.GetRequiredService<OperationLog>();
            var ledger = new CertificateLedger(register.Database);
            // The counter's issuing code and settings, signer included: kiosk paper carries the same mark.
            var counter = new CounterCertificates(ledger, CertificateSettings(sp), clock);
            var rules = options.Kiosk.File is { } file ? KioskServiceRules.Load(file) : KioskServiceRules.LoadDefault();
            return new KioskIssuanceServer(register, options.Name!, counter, ledger, new SealRegistry(register.Database, clock),
                new SupportMeasures(register.Database, clock), new AddresseeSystem(register, log, new AddresseeSystemOptions { Clock = clock }), log, rules, clock, options.Kiosk.ClockShift);
        });
        AddCopyFeed(builder);
        StaffApiAccess.AddScheme(services);
        return builder;
    }

    /// <summary>Maps the ward's API with each route's access declaration (staff session, public, or the pinned citizen portal).</summary>
    public static WebApplication MapWardApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.Services;
        var options = Options(services); // validated here: a wrong setting fails the start before anything listens
        var (code, api, events) = (Code(services), services.GetRequiredService<StaffApi>(), services.GetRequiredService<RegisterEvents>());
        var inbox = services.GetRequiredService<EApplicationInbox>();
        var kiosk = services.GetRequiredService<KioskIssuanceServer>();
        if (services.GetRequiredService<PinnedPortals>().Institutions is { Count: > 0 } pinned)
            services.UseInstitutionCallers(code.Digits, new FixedInstitutions([.. pinned]), services.GetRequiredService<TimeProvider>());

        app.MapGet("/" + MunicipalityRoutes.Health, () => Results.Json(new MunicipalityHealth("ok", code.Digits, options.Name!)))
            .Produces<MunicipalityHealth>()
            .AllowPublic("health check for operators and load balancers (no personal data)");
        app.MapPost("/" + MunicipalityRoutes.StaffSessions, Handler(api.LoginAsync)).ExchangesJson<StaffLoginRequest, StaffLoginResponse>()
            .AllowPublic("staff login (id, password and one-time code; every attempt is logged)");
        app.MapPost("/" + MunicipalityRoutes.StaffSessionAffair, Handler(api.ChooseAffairAsync)).ExchangesJson<AffairChoiceRequest, StaffSessionState>().RequireStaff(OperationAction.AffairChosen, "affair");
        app.MapGet("/" + MunicipalityRoutes.StaffSessionCurrent, Handler(api.CurrentAsync)).Produces<StaffSessionState>().RequireStaff(null, "session");
        app.MapDelete("/" + MunicipalityRoutes.StaffSessionCurrent, Handler(api.LogoutAsync)).Produces(StatusCodes.Status204NoContent).RequireStaff(OperationAction.Logout, "logout");
        api.MapEvent<BirthRequest>(app, MunicipalityRoutes.Births, "birth", NumberNeed.None, _ => null, events.BirthAsync);
        api.MapEvent<ArrivalRequest>(app, MunicipalityRoutes.Arrivals, "arrival", NumberNeed.Required, _ => null, events.ArrivalAsync);
        api.MapEvent<ArrivalFromAbroadRequest>(app, MunicipalityRoutes.ArrivalsFromAbroad, "arrival-from-abroad", NumberNeed.None, _ => null, events.ArrivalFromAbroadAsync);
        api.MapEvent<DepartureRequest>(app, MunicipalityRoutes.Departures, "departure", NumberNeed.None, r => r.ResidentId, events.DepartureAsync);
        api.MapEvent<DeathRequest>(app, MunicipalityRoutes.Deaths, "death", NumberNeed.None, r => r.ResidentId, events.DeathAsync);
        api.MapEvent<AddressChangeRequest>(app, MunicipalityRoutes.AddressChanges, "address-change", NumberNeed.None, r => r.ResidentId, events.AddressChangeAsync);
        api.MapEvent<NameChangeRequest>(app, MunicipalityRoutes.NameChanges, "name-change", NumberNeed.None, r => r.ResidentId, events.NameChangeAsync);
        api.MapEvent<HouseholdChangeRequest>(app, MunicipalityRoutes.HouseholdChanges, "household-change", NumberNeed.None, r => r.ResidentId, events.HouseholdChangeAsync);
        api.MapEvent<HeadChangeRequest>(app, MunicipalityRoutes.HeadChanges, "head-change", NumberNeed.None, r => r.NewHeadResidentId, events.HeadChangeAsync);
        api.MapEvent<NumberChangeRequest>(app, MunicipalityRoutes.NumberChanges, "number-change", NumberNeed.Required, r => r.ResidentId, events.ChangeNumberAsync);
        app.MapPost("/" + MunicipalityRoutes.Search, Handler(api.SearchAsync)).ExchangesJson<ResidentSearchRequest, List<ResidentSearchHit>>().RequireStaff(OperationAction.Search, "search");
        app.MapPost("/" + MunicipalityRoutes.ResidenceCertificate, Handler(api.CertificateAsync)).ExchangesJson<ResidenceCertificateRequest, ResidenceCertificate>().RequireStaff(OperationAction.View, "certificate");
        app.MapPost("/" + MunicipalityRoutes.CertificatePdf, Handler(api.CertificatePdfAsync))
            .Reads<CertificatePdfRequest>("application/json").Produces<Stream>(StatusCodes.Status200OK, "application/pdf")
            .RequireStaff(OperationAction.Export, "certificate pdf");
        app.MapPost("/" + MunicipalityRoutes.EApplications, Handler(context => EApplicationEndpoint.HandleAsync(context, inbox)))
            .ExchangesJson<EApplicationSubmission, EApplicationReceipt>()
            .RequireInstitution("the citizen portal, forwarding an application the resident signed with the card (the resident's signature is checked too)",
                EApplicationPortalClass);
        app.MapPost("/" + EApplicationRoutes.Status, Handler(context => EApplicationEndpoint.HandleStatusAsync(context, inbox)))
            .ExchangesJson<EApplicationStatusRequest, EApplicationStatus>()
            .RequireInstitution("the citizen portal, asking for the applicant with the receipt number and inquiry code the applicant kept",
                EApplicationPortalClass);
        app.MapPost("/" + KioskIssuanceRoutes.Menu, Handler(context => KioskEndpoint.MenuAsync(context, kiosk)))
            .ExchangesJson<KioskMenuRequest, KioskMenu>()
            .RequireInstitution("the pinned certificate issuance centre (J-LIS), for a kiosk whose card it verified: the ward's kiosk menu and fees for the resident",
                KioskIssuanceRoutes.IssuanceCentreClass);
        app.MapPost("/" + KioskIssuanceRoutes.Issue, Handler(context => KioskEndpoint.IssueAsync(context, kiosk)))
            .ExchangesJson<KioskIssueRequest, KioskIssued>()
            .RequireInstitution("the pinned certificate issuance centre (J-LIS), for a kiosk whose card it verified and whose payment it took: one certificate",
                KioskIssuanceRoutes.IssuanceCentreClass);
        app.MapPost("/" + KioskIssuanceRoutes.Void, Handler(context => KioskEndpoint.VoidAsync(context, kiosk)))
            .Reads<KioskVoidRequest>("application/json").Produces(StatusCodes.Status204NoContent)
            .RequireInstitution("the pinned certificate issuance centre (J-LIS), when its kiosk could not print or take the payment: the issuance is voided",
                KioskIssuanceRoutes.IssuanceCentreClass);
        return app;
    }

    /// <summary>
    /// The register and business systems feeding the ward's intermediate server (<see cref="WardCopyFeed"/>), when the
    /// configuration names that server (<c>Ward:Tokens:IntermediateAddress</c>) and does not switch the feed off.
    /// </summary>
    private static void AddCopyFeed(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(WardOptions.Section);
        if (section["Tokens:IntermediateAddress"] is null || section.GetValue("CopyFeed:Enabled", true) is false) return;
        builder.Services.AddSingleton(sp =>
        {
            var (register, clock) = (sp.GetRequiredService<ResidentRegister>(), sp.GetRequiredService<TimeProvider>());
            var addressees = new AddresseeSystem(register, sp.GetRequiredService<OperationLog>(), new AddresseeSystemOptions { Clock = clock });
            return new WardCopyFeed(register, addressees, new MunicipalBusinessSystems(addressees), sp.GetRequiredService<WardTokenClients>().Intermediate, clock);
        });
        builder.Services.AddSingleton<CopyFeedWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CopyFeedWorker>());
    }

    /// <summary>
    /// The signer counter (and kiosk) certificates are signed with: the ward's <see cref="WardCertificateSigner"/> when
    /// <see cref="WardOptions.SignCertificates"/>, else none.
    /// </summary>
    private static CounterCertificateSettings CertificateSettings(IServiceProvider services)
    {
        var options = Options(services);
        return new CounterCertificateSettings(NoticeIssuer.For(options.Name!, options.MayorTitle), options.CertificateFee, CertificateSigner(services));
    }

    public static Func<Renkei.Documents.Paper.PaperSigner>? CertificateSigner(IServiceProvider services)
    {
        if (!Options(services).SignCertificates) return null;
        var signer = services.GetRequiredService<WardCertificateSigner>();
        return () => signer.Current;
    }

    /// <summary>
    /// Obtains the certificate-signing certificate before the ward listens (hosted services start before the server), so the first
    /// certificate does not wait: at most <see cref="SignerStartWait"/>, then the ward starts anyway and asks J-LIS again at the next
    /// certificate (refusing certificates until it has one).
    /// </summary>
    private sealed class SignerAtStart(IServiceProvider services, ILogger<WardCertificateSigner> logger) : Microsoft.Extensions.Hosting.IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!Options(services).SignCertificates) return;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(SignerStartWait);
            try
            {
                await services.GetRequiredService<WardCertificateSigner>().EnsureAsync(wait.Token);
            }
            catch (Exception e) when (e is RegisterException or OperationCanceledException)
            {
                logger.LogWarning("the certificate-signing certificate is not available yet ({Code}); the next certificate asks J-LIS again", WardCertificateSigner.Unavailable);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>How long the ward's start waits for J-LIS's certificate-signing CA.</summary>
    public static readonly TimeSpan SignerStartWait = TimeSpan.FromSeconds(20);

    /// <summary>A handler whose <see cref="IResult"/> is written to the response (a bare method group would bind as a RequestDelegate).</summary>
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    private static WardOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<WardOptions>>().Value;

    private static LocalGovernmentCode Code(IServiceProvider services) => LocalGovernmentCode.ParseOrThrow(Options(services).Code);

    /// <summary>Mutual TLS when the composer registered it (deployments); null: plain sockets.</summary>
    private static Func<HttpMessageHandler>? DefaultHandler(IServiceProvider services) =>
        services.GetService<MutualTls>() is { } tls ? tls.CreateHandler : null;

    /// <summary>
    /// The institutions the ward pins, with their keys read, released with the service: the citizen portals of
    /// <see cref="WardOptions.EApplicationPortals"/> and the issuance centre of <see cref="WardOptions.IssuanceCentre"/>, in one resolver.
    /// </summary>
    private sealed class PinnedPortals(List<PinnedPortal> pinned, PinnedPortal? issuanceCentre) : IDisposable
    {
        public IReadOnlyList<KnownInstitution> Institutions { get; } = pinned
            .Select(p => new KnownInstitution(p.Code!, EApplicationPortalClass, RequestSignature.ImportPublicKey(p.PublicKey!)))
            .Concat(issuanceCentre is { } centre
                ? [new KnownInstitution(centre.Code!, KioskIssuanceRoutes.IssuanceCentreClass, RequestSignature.ImportPublicKey(centre.PublicKey!))]
                : [])
            .ToList();

        public void Dispose()
        {
            foreach (var portal in Institutions) portal.SigningKey.Dispose();
        }
    }
}
