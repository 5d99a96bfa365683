using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Renkei.ServiceDefaults;

/// <summary>
/// The name of one of several instances of a service behind a load balancer (<c>Renkei:Instance</c>, set by
/// <c>renkei serve --instance</c> or <c>Renkei__Instance</c>): every response carries it in <see cref="Header"/>, and the
/// telemetry resource names it (<c>service.instance.id</c>), so an operator sees which instance answered. It decides nothing.
/// </summary>
public static partial class ServiceInstance
{
    public const string Setting = "Renkei:Instance";
    public const string Header = "X-Renkei-Instance";

    /// <summary>1–32 of a-z, 0-9 and '-', starting with a letter or digit.</summary>
    public static bool IsName(string? name) => name is { Length: > 0 and <= 32 } && NamePattern().IsMatch(name);

    /// <summary>The configured name, checked; null when the service runs as its only instance.</summary>
    /// <exception cref="InvalidOperationException">the setting is not a valid name (the message names the setting, not the value).</exception>
    public static string? Of(IConfiguration configuration)
    {
        var name = configuration[Setting];
        if (name is null) return null;
        return IsName(name) ? name : throw new InvalidOperationException($"{Setting}: 1 to 32 of a-z, 0-9 and '-' (the instance's name for logs and metrics)");
    }

    internal static void Use(WebApplication app)
    {
        if (Of(app.Configuration) is not { } name) return;
        app.Use((context, next) =>
        {
            context.Response.Headers[Header] = name;
            return next(context);
        });
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex NamePattern();
}
