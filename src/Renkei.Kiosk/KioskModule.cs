using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Infrastructure.Signing;
using Renkei.IssuanceCentre.Contracts;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults.Web;

namespace Renkei.Kiosk;

/// <summary>
/// The kiosk terminal (キオスク端末) as a module: <see cref="AddKiosk"/> reads <see cref="KioskOptions"/> (section
/// <c>Kiosk</c>) and registers the terminal with its signed client of the issuance centre; <see cref="MapKiosk"/> maps the
/// touch screen (one page, its script and styles, the portal's card reader) and the screen's API. Every route is for the
/// device's own screen only (<see cref="CallerKind.LocalScreen"/>: loopback, same origin): the kiosk serves nobody else.
/// The PIN never leaves the page; the page sends the card's signature and certificate only.
/// </summary>
public static class KioskModule
{
    /// <summary>The host's name for the kiosk service (logs, health).</summary>
    public const string ServiceName = "kiosk";

    private const string Screen = "the kiosk's own touch screen (a browser on the device, same origin)";

    public static WebApplicationBuilder AddKiosk(this WebApplicationBuilder builder)
    {
        var services = builder.AddModuleOptions<KioskOptions>(KioskOptions.Section, (_, _) => new KioskOptionsValidator());
        services.TryAddSingleton<IKioskPrinter, OutputTray>();
        services.AddSingleton(sp => new KioskClient(sp.GetRequiredService<IOptions<KioskOptions>>().Value, sp.GetRequiredService<TimeProvider>(),
            sp.GetService<KioskOutgoingHandler>()?.Create() ?? sp.GetService<MutualTls>()?.CreateHandler() ?? new SocketsHttpHandler()));
        services.AddSingleton(sp => new KioskTerminal(sp.GetRequiredService<IOptions<KioskOptions>>().Value, sp.GetRequiredService<KioskClient>().Centre,
            sp.GetRequiredService<IKioskPrinter>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Renkei.Kiosk")));
        return builder;
    }

    public static WebApplication MapKiosk(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var terminal = app.Services.GetRequiredService<KioskTerminal>();
        app.Use(SecurityHeaders);
        app.MapGet("/", () => EmbeddedAssets.Serve(typeof(KioskModule).Assembly, "kiosk", "kiosk.html")).Produces<Stream>(StatusCodes.Status200OK, "text/html").RequireLocalScreen(Screen);
        app.MapGet("/assets/{name}", (string name) => EmbeddedAssets.Serve(typeof(KioskModule).Assembly, "kiosk", name)).Produces<Stream>(StatusCodes.Status200OK, "text/javascript", "text/css").RequireLocalScreen(Screen);
        app.MapGet("/api/terminal", () => Results.Json(new TerminalView(terminal.Location, (int)terminal.IdleTimeout.TotalSeconds)))
            .Produces<TerminalView>().RequireLocalScreen(Screen);
        app.MapPost("/api/start", Handler(context => Body<StartBody>(context, async _ =>
        {
            var (handle, challenge) = await terminal.StartAsync(context.RequestAborted);
            return Results.Json(new StartView(handle, challenge, terminal.Location));
        }))).ExchangesJson<StartBody, StartView>().RequireLocalScreen(Screen);
        app.MapPost("/api/session", Handler(context => Body<SessionBody>(context, async body =>
            Results.Json(await terminal.OpenSessionAsync(body.Transaction, body.Certificate, body.Signature, context.RequestAborted)))))
            .ExchangesJson<SessionBody, KioskMenuView>().RequireLocalScreen(Screen);
        app.MapPost("/api/order", Handler(context => Body<OrderBody>(context, body =>
            Task.FromResult(Results.Json(terminal.Order(body.Transaction, body.Kind, body.WholeHousehold, body.FiscalYear, body.PaidYen))))))
            .ExchangesJson<OrderBody, KioskOrderView>().RequireLocalScreen(Screen);
        app.MapPost("/api/card-removed", Handler(context => Body<TransactionBody>(context, async body =>
            await terminal.CardRemovedAsync(body.Transaction, context.RequestAborted) is { } printed ? Results.Json(printed) : Results.NoContent())))
            .ExchangesJson<TransactionBody, KioskPrintedView>().RequireLocalScreen(Screen);
        app.MapPost("/api/end", Handler(context => Body<TransactionBody>(context, async body =>
        {
            await terminal.EndAsync(body.Transaction, "ended by the screen");
            return Results.NoContent();
        }))).ExchangesJson<TransactionBody, object>().RequireLocalScreen(Screen);
        app.MapGet("/api/output/{handle}", (string handle) => Guard(async () => Results.File(await terminal.TakeOutput(handle), "application/pdf", "certificate.pdf"))).Produces<Stream>(StatusCodes.Status200OK, "application/pdf").RequireLocalScreen(Screen);
        return app;
    }

    /// <summary>A handler whose <see cref="IResult"/> is written to the response (a bare lambda would bind as a RequestDelegate).</summary>
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>The screen's request body (strict JSON, 64 KiB at most: a certificate and a signature), then the step; a refusal becomes a problem the screen shows.</summary>
    private static async Task<IResult> Body<T>(HttpContext context, Func<T, Task<IResult>> step) where T : class
    {
        var (body, _, problem) = await RequestBodies.ReadJsonAsync<T>(context, RequestBodies.Strict, 64 * 1024);
        return problem ?? await Guard(() => step(body!));
    }

    /// <summary>The step's result, or the problem of its refusal.</summary>
    private static async Task<IResult> Guard(Func<Task<IResult>> step)
    {
        try
        {
            return await step();
        }
        catch (KioskRefusalException e)
        {
            return Problem(e.Refusal);
        }
    }

    /// <summary>A problem whose detail is the Japanese sentence for the screen; <c>refundYen</c> when money is given back.</summary>
    private static IResult Problem(KioskRefusal refusal)
    {
        var body = ErrorResponses.Body((int)refusal.Status, refusal.Code, refusal.Message);
        return Results.Json(new RefusalView(body.Type, body.Title, body.Status, body.Detail, body.Code, refusal.RefundYen),
            statusCode: (int)refusal.Status, contentType: "application/problem+json");
    }

    // Scripts and styles from the kiosk only, fetches to the kiosk only, never framed.
    private static readonly Func<HttpContext, Func<Task>, Task> SecurityHeaders = ServerRenderedPages.SecurityHeaders(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");

    public sealed record TerminalView(string Location, int IdleSeconds);

    /// <summary>An empty object: a new transaction has nothing to say yet.</summary>
    public sealed record StartBody;

    public sealed record StartView(string Transaction, string Challenge, string Location);

    public sealed record TransactionBody(string Transaction);

    public sealed record SessionBody(string Transaction, string Certificate, string Signature);

    public sealed record OrderBody(string Transaction, string Kind, bool WholeHousehold, int? FiscalYear, long PaidYen);

    public sealed record RefusalView(string Type, string Title, int Status, string Detail, string Code, long RefundYen);
}

/// <summary>The kiosk's keys and its client of the centre, every request signed as the kiosk; disposed with the host.</summary>
internal sealed class KioskClient : IDisposable
{
    private readonly InstitutionKeys _keys;
    private readonly HttpClient _http;

    public KioskClient(KioskOptions options, TimeProvider clock, HttpMessageHandler handler)
    {
        _keys = InstitutionKeys.LoadOrCreate(options.KeyDirectory);
        _http = SigningHandler.CreateClient(options.CentreAddress!, options.Code, _keys.Signing, options.CentreCode, handler, options.CentreTimeout, clock);
        Centre = new IssuanceCentreHttpClient(_http);
    }

    public IssuanceCentreHttpClient Centre { get; }

    public void Dispose()
    {
        _http.Dispose();
        _keys.Dispose();
    }
}
