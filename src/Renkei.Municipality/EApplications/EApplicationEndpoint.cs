using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.EApplications;

/// <summary>
/// <c>POST e-applications</c> (<see cref="EApplicationRoutes.Submit"/>) on the ward's service: the body parsed strictly as an
/// <see cref="EApplicationSubmission"/>, then <see cref="EApplicationInbox.ReceiveAsync"/>. Refusals are problem bodies with
/// the <see cref="EApplicationRefusalCodes"/> code; J-LIS unreachable is 503 <c>jlis-unreachable</c> (send the same
/// submission again later).
/// </summary>
internal static class EApplicationEndpoint
{
    private const int MaxBody = 256 * 1024;

    private static readonly JsonSerializerOptions Strict = new(JsonDefaults.Options)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary><c>POST e-applications/status</c>: the body read with the shared strict rules, then <see cref="EApplicationInbox.StatusAsync"/>.</summary>
    public static async Task<IResult> HandleStatusAsync(HttpContext http, EApplicationInbox inbox)
    {
        var (request, _, problem) = await RequestBodies.ReadJsonAsync<EApplicationStatusRequest>(http, RequestBodies.Strict, 4 * 1024);
        return problem ?? Results.Json(await inbox.StatusAsync(request, http.RequestAborted), JsonDefaults.Options);
    }

    public static async Task<IResult> HandleAsync(HttpContext http, EApplicationInbox inbox)
    {
        if (http.Request.ContentLength is > MaxBody)
            return ErrorResponses.Problem(StatusCodes.Status413PayloadTooLarge, EApplicationRefusalCodes.BadDocument,
                $"the submission is larger than {MaxBody} bytes (申請が大きすぎます)");
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        if (buffer.Length > MaxBody)
            return ErrorResponses.Problem(StatusCodes.Status413PayloadTooLarge, EApplicationRefusalCodes.BadDocument,
                $"the submission is larger than {MaxBody} bytes (申請が大きすぎます)");
        EApplicationSubmission? submission;
        try
        {
            submission = JsonSerializer.Deserialize<EApplicationSubmission>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Strict);
        }
        catch (JsonException e)
        {
            return ErrorResponses.BadRequest(EApplicationRefusalCodes.BadDocument, ErrorResponses.DescribeJsonError(e));
        }
        try
        {
            return Results.Json(await inbox.ReceiveAsync(submission!, http.RequestAborted), JsonDefaults.Options);
        }
        catch (JlisException e)
        {
            return ErrorResponses.Problem(StatusCodes.Status502BadGateway, "jlis-" + e.Code,
                "J-LIS did not answer the certificate status question; send the same submission again later (J-LISに電子証明書の状態を確認できません)");
        }
        catch (HttpRequestException)
        {
            return ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "jlis-unreachable",
                "J-LIS could not be reached to check the certificate; send the same submission again later (J-LISに接続できません)");
        }
    }
}
