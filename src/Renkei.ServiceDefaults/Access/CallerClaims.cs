using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Renkei.ServiceDefaults.Access;

/// <summary>The claims an authenticated caller carries, and how handlers read them.</summary>
public static class CallerClaims
{
    /// <summary>The calling institution's code (from its certificate or its verified signature).</summary>
    public const string Institution = "renkei:institution";

    /// <summary>The calling institution's class in the network's registry (e.g. <c>Municipality</c>, <c>Portal</c>).</summary>
    public const string InstitutionClass = "renkei:institution-class";

    /// <summary>How the institution proved itself: <c>certificate</c>, <c>signature</c> or <c>certificate+signature</c>.</summary>
    public const string Proof = "renkei:proof";

    /// <summary>A staff member's id (ward API and console sessions).</summary>
    public const string Staff = "renkei:staff";

    /// <summary>The calling institution's code; null when the caller is not an authenticated institution.</summary>
    public static string? InstitutionOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return InstitutionOf(context.User);
    }

    public static string? InstitutionOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst(Institution)?.Value : null;

    /// <summary>The calling institution's class; null when unknown.</summary>
    public static string? ClassOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(InstitutionClass)?.Value : null;
    }

    /// <summary>
    /// 403 <c>caller-not-permitted</c> unless the authenticated institution is <paramref name="named"/> (an institution acts
    /// only in its own name: a ward for its own municipality code). <paramref name="field"/> names the body field compared.
    /// </summary>
    public static IResult? RefuseUnlessSelf(HttpContext context, string? named, string field) =>
        string.Equals(InstitutionOf(context), named, StringComparison.Ordinal)
            ? null
            : ErrorResponses.Problem(StatusCodes.Status403Forbidden, RouteAccess.NotPermittedCode,
                $"{field}: an institution acts only for itself; the request names another institution than the caller (要求の機関が呼出し元の機関と異なります)");
}
