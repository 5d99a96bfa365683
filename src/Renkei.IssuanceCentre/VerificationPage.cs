using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Dates;
using Renkei.Documents.Paper;
using Renkei.IssuanceCentre.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Web;

namespace Renkei.IssuanceCentre;

/// <summary>
/// The public verification page (真正性確認): anyone — a bank clerk, a landlord — uploads a certificate as a PDF or a scanned
/// image and learns whether its signed 2D code is the ward's (<see cref="PaperVerifier"/>: signature, the ward's certificate
/// up to J-LIS's certificate-signing root, the CRL, and for a PDF the printed text against the signed digest). The page
/// shows the signed fields so that a scan, whose text cannot be read back, is compared with the paper by the person. Nothing
/// uploaded is kept or logged; the trust material (root and CRL) comes from J-LIS and is refreshed every few minutes.
/// </summary>
internal static class VerificationPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
    private static readonly TimeSpan TrustLifetime = TimeSpan.FromMinutes(5);

    public static void Map(WebApplication app, IssuanceCentreRuntime runtime)
    {
        var trust = new TrustCache(runtime);
        var headers = ServerRenderedPages.SecurityHeaders(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        app.MapGet("/" + IssuanceCentreRoutes.Verify, (HttpContext context) => Page(context, headers, Form(null)))
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .AllowPublic("the public verification page (真正性確認): anyone may check a certificate's paper; nothing is kept");
        app.MapPost("/" + IssuanceCentreRoutes.Verify, async (HttpContext context) =>
            {
                // The file at most, and a little for the form's framing: a larger upload is cut off by the server.
                if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                    size.MaxRequestBodySize = PaperVerifier.MaxFileBytes + 64 * 1024;
                IFormCollection form;
                try
                {
                    form = await context.Request.ReadFormAsync(context.RequestAborted);
                }
                catch (Exception e) when (e is BadHttpRequestException or InvalidDataException)
                {
                    return Page(context, headers, Form("ファイルを読み取れませんでした（PDF、PNG または JPEG、20MB まで）。"));
                }
                if (form.Files.GetFile("file") is not { Length: > 0 } file)
                    return Page(context, headers, Form("ファイルを選んでください（PDF、PNG または JPEG、20MB まで）。"));
                if (file.Length > PaperVerifier.MaxFileBytes)
                    return Page(context, headers, Form("ファイルが大きすぎます（20MB まで）。"));
                using var buffer = new MemoryStream((int)file.Length);
                await file.CopyToAsync(buffer, context.RequestAborted);
                PaperTrust material;
                try
                {
                    material = await trust.GetAsync(context.RequestAborted);
                }
                catch (Exception e) when (e is HttpRequestException or JlisException or TaskCanceledException or CryptographicException)
                {
                    return Page(context, headers, Form("確認に必要な情報（地方公共団体情報システム機構の証明書と失効リスト）を取得できませんでした。時間をおいてもう一度お試しください。"));
                }
                var result = PaperVerifier.Verify(buffer.ToArray(), material, runtime.Clock.GetUtcNow());
                return Page(context, headers, Result(result) + Form(null));
            })
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .AllowPublic("the public verification page (真正性確認): anyone may check a certificate's paper; nothing is kept")
            // A public form that changes nothing and keeps nothing: no session to forge a request for.
            .DisableAntiforgery();
    }

    private static IResult Page(HttpContext context, Func<HttpContext, Func<Task>, Task> headers, string body)
    {
        var html = $$"""
            <!DOCTYPE html>
            <html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>証明書の真正性確認</title>
            <style>
            body { font-family: "IPAexGothic", "Noto Sans CJK JP", sans-serif; margin: 0 auto; max-width: 46rem; padding: 1rem; color: #1a1a1a; line-height: 1.6; }
            h1 { font-size: 1.5rem; } .genuine { color: #0a6b2d; } .refused { color: #a40000; }
            dl { display: grid; grid-template-columns: auto 1fr; gap: .3rem 1rem; background: #f4f6f9; padding: 1rem; }
            dt { color: #555; } dd { margin: 0; font-weight: bold; } .note { color: #555; font-size: .9rem; }
            button { font-size: 1rem; padding: .5rem 1.5rem; }
            </style></head>
            <body><h1>証明書の真正性確認</h1>
            <p>市区町村が交付した住民票の写しなどの証明書が本物かどうかを、証明書に印刷された二次元コード（電子署名）で確認します。
            アップロードされたファイルは確認にだけ使い、保存しません。</p>
            {{body}}
            </body></html>
            """;
        return new HtmlPage(html, headers);
    }

    private static string Form(string? error) => $"""
        <form method="post" enctype="multipart/form-data">
        <p><label for="file">証明書のファイル（交付された PDF、またはスキャンした PNG・JPEG）</label><br>
        <input type="file" id="file" name="file" accept="application/pdf,image/png,image/jpeg" required></p>
        {(error is null ? "" : $"<p class=\"refused\" role=\"alert\" id=\"verify-error\">{Html.Encode(error)}</p>")}
        <p><button type="submit">確認する</button></p>
        </form>
        """;

    private static string Result(PaperVerification result)
    {
        var text = new StringBuilder();
        text.Append(result.Genuine
            ? $"<h2 class=\"genuine\" id=\"verify-result\" data-reason=\"{Html.Encode(result.Reason)}\">真正な証明書です</h2>"
            : $"<h2 class=\"refused\" id=\"verify-result\" data-reason=\"{Html.Encode(result.Reason)}\">確認できませんでした</h2>");
        text.Append("<p>").Append(Html.Encode(result.ReasonJapanese)).Append("</p>");
        if (result.Statement is { } statement)
        {
            text.Append("<p>電子署名された内容（印刷された証明書と見比べてください）</p><dl id=\"verify-fields\">");
            Field(text, "発行団体", $"{result.IssuerName ?? ""}（{statement.Issuer}）");
            Field(text, "証明書の種類", result.KindTitle ?? statement.Kind);
            Field(text, "交付番号", $"{statement.Issuer}-{statement.IssuedOn.Year:D4}-{statement.IssuanceId:D6}");
            Field(text, "交付日", JapaneseEraDate.TryFormat(statement.IssuedOn, out var era) ? era : statement.IssuedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            Field(text, "ページ", $"{statement.Page} / {statement.Pages}");
            Field(text, "印字内容の照合", result.TextChecked ? "照合済み（PDF の文字が署名と一致）" : "未照合（画像のため。氏名・住所などを紙面と見比べてください）");
            text.Append("</dl>");
        }
        return text.ToString();
    }

    private static void Field(StringBuilder text, string name, string value) =>
        text.Append("<dt>").Append(Html.Encode(name)).Append("</dt><dd>").Append(Html.Encode(value)).Append("</dd>");

    /// <summary>An HTML page with the centre's page headers (CSP, no caching, no framing).</summary>
    private sealed class HtmlPage(string html, Func<HttpContext, Func<Task>, Task> headers) : IResult
    {
        public Task ExecuteAsync(HttpContext context) => headers(context, () =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(html, context.RequestAborted);
        });
    }

    /// <summary>J-LIS's root (fetched once) and CRL (fetched again after <see cref="TrustLifetime"/>: a revocation shows within minutes).</summary>
    private sealed class TrustCache(IssuanceCentreRuntime runtime)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private System.Security.Cryptography.X509Certificates.X509Certificate2? _root;
        private (byte[] Crl, DateTimeOffset Fetched)? _crl;

        public async Task<PaperTrust> GetAsync(CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var now = runtime.Clock.GetUtcNow();
                _root ??= await runtime.Paper.RootCertificateAsync(cancellationToken);
                if (_crl is not { } crl || now - crl.Fetched >= TrustLifetime) _crl = crl = (await runtime.Paper.CrlAsync(cancellationToken), now);
                return new PaperTrust(_root, crl.Crl);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
