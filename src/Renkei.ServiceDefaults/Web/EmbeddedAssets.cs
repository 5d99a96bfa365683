using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Renkei.ServiceDefaults.Web;

/// <summary>
/// A web application's own scripts, styles and pages, embedded in its assembly under <c>&lt;prefix&gt;/&lt;name&gt;</c> and
/// served from memory: flat names only (<c>card-reader.js</c>, <c>portal.css</c>), anything else is 404.
/// </summary>
public static partial class EmbeddedAssets
{
    public static IResult Serve(Assembly assembly, string prefix, string name)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (!AssetName().IsMatch(name)) return Results.NotFound();
        var stream = assembly.GetManifestResourceStream(prefix + "/" + name);
        if (stream is null) return Results.NotFound();
        var type = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".html" => "text/html; charset=utf-8",
            _ => "text/javascript; charset=utf-8",
        };
        return Results.Stream(stream, type);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,60}\\.(js|css|html)$")]
    private static partial Regex AssetName();
}
