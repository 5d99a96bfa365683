using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;

namespace Renkei.ServiceDefaults.Health;

/// <summary>What <c>/health/live</c> and <c>/health/ready</c> answer: <c>live</c>, <c>ready</c> or <c>not-ready</c>, and each check's outcome by name.</summary>
public sealed record HealthAnswer(string Status, IReadOnlyDictionary<string, string> Checks);

/// <summary>
/// Every service's health routes, for operators and load balancers: <c>GET /health/live</c> (the process answers HTTP;
/// no check runs) and <c>GET /health/ready</c> (every check tagged <see cref="ReadyTag"/> passes — the service's database
/// answers a query and, on SQLite, its disk has room — else 503). Neither says more than each check's name and outcome: no connection string, no exception.
/// </summary>
public static class ServiceHealth
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>Checks with this tag decide readiness.</summary>
    public const string ReadyTag = "ready";

    internal static void Add(IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]).AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);

    internal static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(LivePath, () => Results.Json(new HealthAnswer("live", new Dictionary<string, string>()), JsonDefaults.Options))
            .Produces<HealthAnswer>()
            .AllowPublic("health check (liveness) for operators and load balancers (no personal data)");
        app.MapGet(ReadyPath, async (HealthCheckService health, CancellationToken ct) =>
            {
                var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), ct);
                var ready = report.Status == HealthStatus.Healthy;
                var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "ok" : "failed");
                return Results.Json(new HealthAnswer(ready ? "ready" : "not-ready", checks), JsonDefaults.Options,
                    statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .Produces<HealthAnswer>()
            .Produces<HealthAnswer>(StatusCodes.Status503ServiceUnavailable)
            .AllowPublic("health check (readiness: the database answers) for operators and load balancers (no personal data)");
    }
}

/// <summary>
/// Ready when, on SQLite, the file system holding the service's database has at least <see cref="MinimumFreeBytes"/> free: a
/// full disk still answers reads but refuses every record, so a balancer should send work elsewhere. PostgreSQL's disk is the
/// server's to watch; a write it refuses for space is answered 503 <c>storage-unavailable</c> (<see cref="StorageFailures"/>).
/// </summary>
internal sealed class StorageHealthCheck(IServiceProvider services) : IHealthCheck
{
    /// <summary>Below this much free space next to a SQLite database the service reports itself not ready.</summary>
    public const long MinimumFreeBytes = 4L * 1024 * 1024;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(services.GetService<Database>() is { Provider: DatabaseProvider.Sqlite } database
                        && StorageFailures.FreeBytes(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource) is < MinimumFreeBytes
            ? HealthCheckResult.Unhealthy("storage nearly full")
            : HealthCheckResult.Healthy());
}

/// <summary>
/// Ready when the service's <see cref="Database"/> (registered by its module) opens and answers <c>SELECT 1</c> within
/// the check's time; a service without a database is ready.
/// </summary>
internal sealed class DatabaseHealthCheck(IServiceProvider services) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<Database>() is not { } database) return HealthCheckResult.Healthy("no database");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await database.OpenAsync(timeout.Token);
            await using var command = connection.Command("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or InvalidOperationException or IOException or TimeoutException)
        {
            // The exception's message may name the host or the user: the answer and the log say only that it failed.
            return HealthCheckResult.Unhealthy("database unavailable (" + e.GetType().Name + ")");
        }
    }
}
