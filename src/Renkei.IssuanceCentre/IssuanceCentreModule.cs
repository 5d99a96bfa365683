using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.IssuanceCentre.Contracts;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.IssuanceCentre;

/// <summary>
/// The certificate issuance centre (証明書交付センター) as a module of a service: <see cref="AddIssuanceCentre"/> reads
/// <see cref="IssuanceCentreOptions"/> from the section <c>IssuanceCentre</c> and registers its transaction log and runtime;
/// <see cref="MapIssuanceCentreApi"/> maps the kiosks' routes (<see cref="IssuanceCentreRoutes"/>), each for a kiosk the
/// centre pinned (<see cref="IssuanceCentreOptions.Kiosks"/>, caller class <see cref="IssuanceCentreRoutes.KioskClass"/>)
/// acting in its own name. The health routes are every service's (<c>/health/live</c>, <c>/health/ready</c>: the database answers).
/// </summary>
public static class IssuanceCentreModule
{
    /// <summary>Who the kiosk routes are for.</summary>
    private const string Kiosks = "a kiosk terminal the centre pinned (IssuanceCentre:Kiosks), in its own name";

    /// <summary>
    /// Binds and validates <see cref="IssuanceCentreOptions"/> (at start, naming the setting) and registers the centre's
    /// transaction log (its own database) and runtime (keys, signed clients, sessions), disposed with the host. A
    /// <see cref="Database"/>, <see cref="TimeProvider"/>, <see cref="MutualTls"/> or <see cref="IssuanceCentreOutgoingHandler"/>
    /// the composer registered before is used.
    /// </summary>
    public static WebApplicationBuilder AddIssuanceCentre(this WebApplicationBuilder builder)
    {
        var services = builder.AddModuleOptions<IssuanceCentreOptions>(IssuanceCentreOptions.Section,
            (databaseRegistered, _) => new IssuanceCentreOptionsValidator(databaseRegistered), o => o.Database);
        services.AddSingleton(sp => new TransactionLog(sp.GetRequiredService<Database>()));
        services.AddSingleton(sp => new IssuanceCentreRuntime(Options(sp), sp.GetRequiredService<TransactionLog>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<MutualTls>(), sp.GetService<IssuanceCentreOutgoingHandler>()));
        services.AddSingleton(sp => new KioskDesk(sp.GetRequiredService<IssuanceCentreRuntime>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Renkei.IssuanceCentre")));
        services.AddSingleton(sp => new PinnedKiosks(Options(sp).Kiosks));
        return builder;
    }

    /// <summary>Creates the runtime (the centre's keys on first start), pins the kiosks and maps the kiosks' routes.</summary>
    public static WebApplication MapIssuanceCentreApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.Services;
        var options = Options(services); // validated here: a wrong setting fails the start before anything listens
        var desk = services.GetRequiredService<KioskDesk>();
        services.UseInstitutionCallers(options.Code!, new FixedInstitutions([.. services.GetRequiredService<PinnedKiosks>().Institutions]),
            services.GetRequiredService<TimeProvider>());

        app.MapPost("/" + IssuanceCentreRoutes.Challenges, (HttpRequest http) =>
                HandleAsync<KioskChallengeRequest>(http.HttpContext, r => r.Kiosk, (r, _) => Task.FromResult<object?>(desk.Challenge(r.Kiosk))))
            .ExchangesJson<KioskChallengeRequest, KioskChallenge>()
            .RequireInstitution(Kiosks, IssuanceCentreRoutes.KioskClass);
        app.MapPost("/" + IssuanceCentreRoutes.Sessions, (HttpRequest http) =>
                HandleAsync<KioskSessionRequest>(http.HttpContext, r => r.Kiosk, async (r, ct) => await desk.OpenSessionAsync(r, ct)))
            .ExchangesJson<KioskSessionRequest, KioskSession>()
            .RequireInstitution(Kiosks, IssuanceCentreRoutes.KioskClass);
        app.MapDelete("/" + IssuanceCentreRoutes.Sessions + "/{id:guid}", (HttpRequest http, Guid id) =>
            {
                desk.Close(id, Caller(http.HttpContext));
                return Results.NoContent();
            })
            .Produces(StatusCodes.Status204NoContent)
            .RequireInstitution(Kiosks, IssuanceCentreRoutes.KioskClass);
        app.MapPost("/" + IssuanceCentreRoutes.Certificates, (HttpRequest http) =>
                HandleAsync<KioskCertificateRequest>(http.HttpContext, null, async (r, ct) => await desk.CertificateAsync(r, Caller(http.HttpContext), ct)))
            .ExchangesJson<KioskCertificateRequest, KioskCertificate>()
            .RequireInstitution(Kiosks, IssuanceCentreRoutes.KioskClass);
        app.MapPost("/" + IssuanceCentreRoutes.Void, (HttpRequest http) =>
                HandleAsync<KioskCancelRequest>(http.HttpContext, null, async (r, ct) =>
                {
                    await desk.VoidAsync(r, Caller(http.HttpContext), ct);
                    return null;
                }))
            .Accepts<KioskCancelRequest>("application/json").Produces(StatusCodes.Status204NoContent)
            .RequireInstitution(Kiosks, IssuanceCentreRoutes.KioskClass);
        VerificationPage.Map(app, services.GetRequiredService<IssuanceCentreRuntime>());
        return app;
    }

    /// <summary>
    /// Parses the body strictly, refuses a body naming another kiosk than the signer (<paramref name="kioskOf"/>), and runs
    /// <paramref name="operation"/>: its answer as JSON, or 204 for none. Refusals reach the service's exception handler.
    /// </summary>
    private static async Task<IResult> HandleAsync<TRequest>(HttpContext context, Func<TRequest, string>? kioskOf,
        Func<TRequest, CancellationToken, Task<object?>> operation) where TRequest : class
    {
        var (request, _, problem) = await RequestBodies.ReadJsonAsync<TRequest>(context, RequestBodies.Strict, RequestBodies.DefaultMaxBytes);
        if (problem is not null) return problem;
        if (kioskOf is not null && CallerClaims.RefuseUnlessSelf(context, kioskOf(request!), "kiosk") is { } refused) return refused;
        var answer = await operation(request!, context.RequestAborted);
        return answer is null ? Results.NoContent() : Results.Json(answer, JsonDefaults.Options);
    }

    /// <summary>The calling kiosk (authenticated by the route's declaration).</summary>
    private static string Caller(HttpContext context) => CallerClaims.InstitutionOf(context)
        ?? throw new InvalidOperationException("a kiosk route ran without an authenticated kiosk");

    private static IssuanceCentreOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<IssuanceCentreOptions>>().Value;

    /// <summary>The kiosks of <see cref="IssuanceCentreOptions.Kiosks"/> with their keys read, released with the service.</summary>
    private sealed class PinnedKiosks(List<PinnedKiosk> pinned) : IDisposable
    {
        public IReadOnlyList<KnownInstitution> Institutions { get; } = pinned
            .Select(k => new KnownInstitution(k.Code!, IssuanceCentreRoutes.KioskClass, RequestSignature.ImportPublicKey(k.PublicKey!)))
            .ToList();

        public void Dispose()
        {
            foreach (var kiosk in Institutions) kiosk.SigningKey.Dispose();
        }
    }
}
