using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.ServiceDefaults.Access;
using Scalar.AspNetCore;

namespace Renkei.ServiceDefaults.ApiDescriptions;

/// <summary>
/// The OpenAPI description every <see cref="ServiceHost"/> publishes at <see cref="DocumentPath"/> (DESIGN.md §4): each
/// operation with its request and response types (<see cref="ExchangesJson{TRequest,TResponse}"/> where the handler reads
/// the body itself), its refusals as problem bodies, and the caller it needs from its <see cref="CallerDeclaration"/>
/// (<c>x-renkei-caller</c> and a security requirement). Razor Pages are HTML for people, not an API: they are left out of
/// <c>paths</c> and listed in <c>x-renkei-pages</c> with who may open them. The description holds no host or port, so the
/// same service gives the same document wherever it runs.
/// </summary>
public static class ApiDescription
{
    /// <summary>Where every service answers with its description.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Where a service that shows it (<see cref="ServiceHostOptions.ApiReference"/>) serves the browsable reference page.</summary>
    public const string ReferencePath = "/scalar";

    /// <summary>The extension on each operation (and page) naming the caller it needs: <c>{kind, who, institutions}</c>.</summary>
    public const string CallerExtension = "x-renkei-caller";

    /// <summary>The document extension listing the Razor Pages the service serves (methods (empty: any), route, caller), not described further.</summary>
    public const string PagesExtension = "x-renkei-pages";

    /// <summary>The security scheme of an institution calling with its mutual-TLS certificate (deployments).</summary>
    public const string MutualTlsScheme = "mutualTls";

    /// <summary>The security scheme of an institution calling with a signed request (the demo; also accepted under mutual TLS).</summary>
    public const string RequestSignatureScheme = "requestSignature";

    /// <summary>The security scheme of a staff API session (a bearer token from the login route or the holder's staff key).</summary>
    public const string SessionBearerScheme = "sessionBearer";

    /// <summary>The security scheme of a web application's login session (the portal's and the staff console's pages).</summary>
    public const string SessionCookieScheme = "sessionCookie";

    private const string ProblemSchema = nameof(ProblemBody);
    private const string ProblemMediaType = ProblemBody.MediaType;

    /// <summary>
    /// The route reads a JSON <typeparamref name="TRequest"/> and answers 200 with a JSON <typeparamref name="TResponse"/>:
    /// stated for the description where the handler reads and writes the body itself. Unlike <c>Accepts</c>, it does not
    /// take part in routing: a body of another content type still reaches the handler, which refuses it with its own code.
    /// </summary>
    public static RouteHandlerBuilder ExchangesJson<TRequest, TResponse>(this RouteHandlerBuilder builder) where TRequest : notnull =>
        builder.Reads<TRequest>("application/json").Produces<TResponse>();

    /// <summary>The route reads a <typeparamref name="TRequest"/> body of <paramref name="contentType"/> (for the description only; see <see cref="ExchangesJson{TRequest,TResponse}"/>).</summary>
    public static RouteHandlerBuilder Reads<TRequest>(this RouteHandlerBuilder builder, string contentType) where TRequest : notnull =>
        builder.WithMetadata(new RequestBodyDescription(typeof(TRequest), contentType));

    /// <summary>Adds the document <c>v1</c> with the transformers that state callers, refusals and pages.</summary>
    internal static void Add(IServiceCollection services, string serviceName) =>
        services.AddOpenApi(options =>
        {
            options.AddOperationTransformer<CallerTransformer>();
            options.AddDocumentTransformer((document, context, cancellationToken) => DescribeAsync(document, serviceName, context, cancellationToken));
        });

    /// <summary>Maps the description (every service) and the reference page (where <paramref name="referencePage"/>), both public.</summary>
    internal static void Map(WebApplication app, bool referencePage)
    {
        app.MapOpenApi(DocumentPath).AllowPublic("the service's API description (no data)");
        if (!referencePage) return;
        app.MapScalarApiReference(ReferencePath, options =>
        {
            options.OpenApiRoutePattern = DocumentPath;
            options.Title = app.Environment.ApplicationName + " API";
            // Offline: the bundle is served from the package (no CDN), no web fonts, no telemetry.
            options.DefaultFonts = false;
            options.Telemetry = false;
        }).AllowPublic("the API reference page on the service's own description (no data)");
    }

    private static async Task DescribeAsync(OpenApiDocument document, string serviceName, OpenApiDocumentTransformerContext context,
        CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = serviceName.StartsWith("Renkei", StringComparison.Ordinal) ? serviceName : "Renkei " + serviceName,
            Version = "v1",
            Description = "Every operation states the caller it needs in x-renkei-caller (see docs/routes.md). Every error is an RFC 9457 "
                          + "problem details body (application/problem+json, schema ProblemBody) with a stable code. Razor Pages (HTML for "
                          + "people) are listed in x-renkei-pages, not described.",
        };
        // No host or port: the document is the same wherever the service listens.
        document.Servers = [];
        var operations = (document.Paths ?? []).Values.SelectMany(path => path.Operations ?? []).Select(o => o.Value).ToList();
        var used = operations.SelectMany(o => o.Security ?? []).SelectMany(r => r.Keys).Select(k => k.Reference.Id ?? "").ToHashSet(StringComparer.Ordinal);
        var pages = Pages(context.ApplicationServices);
        if (pages.Any(p => p.Caller!.Kind is CallerKind.StaffSession or CallerKind.ResidentSession)) used.Add(SessionCookieScheme);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = SecuritySchemes().Where(s => used.Contains(s.Key)).ToDictionary(s => s.Key, s => (IOpenApiSecurityScheme)s.Value);
        if (operations.Any(o => o.Responses?.Values.Any(r => r.Content?.ContainsKey(ProblemMediaType) == true) == true))
        {
            var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemBody), null, cancellationToken);
            DescribeProblem(problem);
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
            document.Components.Schemas[ProblemSchema] = problem;
        }
        if (pages.Count > 0)
        {
            document.Extensions ??= new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
            document.Extensions[PagesExtension] = new JsonNodeExtension(new JsonArray(pages
                .Select(p => (JsonNode)new JsonObject
                {
                    ["methods"] = new JsonArray(p.Methods.Select(m => (JsonNode)JsonValue.Create(m)).ToArray()),
                    ["route"] = p.Pattern,
                    ["caller"] = CallerNode(p.Caller!),
                }).ToArray()));
        }
    }

    /// <summary>The members of <see cref="ProblemBody"/> as RFC 9457 defines them, and the deprecated <c>message</c>.</summary>
    private static void DescribeProblem(OpenApiSchema problem)
    {
        problem.Description = "An error (RFC 9457 problem details): a stable code for programs, a Japanese title and a detail that names "
                              + "the field or rule, never the value.";
        string[] members = ["type", "title", "status", "detail", "code"];
        problem.Required = new HashSet<string>(members, StringComparer.Ordinal);
        var described = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["type"] = $"The problem type: {ProblemBody.TypePrefix}<code>, a stable URI per code (not dereferenceable).",
            ["title"] = "A short Japanese summary of the status (the same for every problem of that status).",
            ["status"] = "The HTTP status of the response.",
            ["detail"] = "What was wrong, naming the field or rule, never the value (English (日本語)).",
            ["code"] = "The stable code programs act on (an extension member).",
            ["message"] = "Deprecated: the same text as detail, for clients of the previous release; it goes in the next release.",
        };
        if (problem.Properties is not { } properties) return;
        foreach (var (name, text) in described)
        {
            if (!properties.TryGetValue(name, out var member) || member is not OpenApiSchema schema) continue;
            // As written: the status a number (the shared options would also read one from a string), the alias never null.
            if (name == "status") properties[name] = schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" };
            if (name == "message") properties[name] = schema = new OpenApiSchema { Type = JsonSchemaType.String, Deprecated = true };
            schema.Description = text;
        }
    }

    /// <summary>The Razor Pages of the service with their declarations, in route order.</summary>
    private static List<RouteEntry> Pages(IServiceProvider services) =>
        RouteInventory.Of(services.GetRequiredService<EndpointDataSource>().Endpoints)
            .Where(r => r.IsPage && r.Caller is not null)
            .ToList();

    private static Dictionary<string, OpenApiSecurityScheme> SecuritySchemes() => new(StringComparer.Ordinal)
    {
        [MutualTlsScheme] = new()
        {
            Type = SecuritySchemeType.MutualTLS,
            Description = "A registered institution's client certificate, issued by the network's CA (deployments).",
        },
        [RequestSignatureScheme] = new()
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = SignatureHeaders.Signature,
            Description = $"A request signed with the institution's registered key: {SignatureHeaders.Institution}, {SignatureHeaders.Audience}, "
                          + $"{SignatureHeaders.Timestamp}, {SignatureHeaders.Nonce} and {SignatureHeaders.Signature} over them and the body's digest "
                          + "(Renkei.Core.Crypto.SigningHandler).",
        },
        [SessionBearerScheme] = new()
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A staff API session: the token the login route returns (a ward), or the holder's staff key.",
        },
        [SessionCookieScheme] = new()
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = "session",
            Description = "A web application's login session (the staff console's and the portal's pages, listed in x-renkei-pages).",
        },
    };

    private static JsonObject CallerNode(CallerDeclaration caller) => new()
    {
        ["kind"] = caller.Kind.ToString(),
        ["who"] = caller.Who,
        ["institutions"] = new JsonArray(caller.Institutions.Select(i => (JsonNode)JsonValue.Create(i)).ToArray()),
    };

    /// <summary>Endpoint metadata: the body the handler reads itself (<see cref="Reads{TRequest}"/>).</summary>
    private sealed record RequestBodyDescription(Type Type, string ContentType);

    /// <summary>States each operation's request body, caller (extension and security requirement) and refusals (problem bodies).</summary>
    private sealed class CallerTransformer : IOpenApiOperationTransformer
    {
        public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<RequestBodyDescription>().FirstOrDefault() is { } body && operation.RequestBody is null)
            {
                // A component of its own, like the response types: one schema per type, referred to by name.
                var document = context.Document!;
                document.Components ??= new OpenApiComponents();
                document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
                if (!document.Components.Schemas.ContainsKey(body.Type.Name))
                    document.Components.Schemas[body.Type.Name] = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                    {
                        [body.ContentType] = new() { Schema = new OpenApiSchemaReference(body.Type.Name, document) },
                    },
                };
            }
            var caller = metadata.OfType<CallerDeclaration>().FirstOrDefault();
            if (caller is null) return;
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
            operation.Extensions[CallerExtension] = new JsonNodeExtension(CallerNode(caller));
            string[] schemes = caller.Kind switch
            {
                CallerKind.Institution or CallerKind.OneInstitution => [MutualTlsScheme, RequestSignatureScheme],
                CallerKind.StaffSession => [SessionBearerScheme],
                CallerKind.ResidentSession => [SessionCookieScheme],
                _ => [],
            };
            // Alternatives: any one of the schemes will do. A public route names none.
            operation.Security = schemes.Length == 0 ? null : schemes
                .Select(scheme => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] })
                .ToList();
            operation.Responses ??= new OpenApiResponses();
            if (operation.RequestBody is not null)
                AddProblem(operation, context, StatusCodes.Status400BadRequest, "the body is malformed or breaks a rule (the message names the field, not its value)");
            if (caller.Kind == CallerKind.LocalScreen)
                AddProblem(operation, context, StatusCodes.Status403Forbidden, "the caller is not the device's own screen (another machine, or another site's page)");
            else if (caller.Kind != CallerKind.Public)
            {
                AddProblem(operation, context, StatusCodes.Status401Unauthorized, "no caller of the required kind was recognised");
                AddProblem(operation, context, StatusCodes.Status403Forbidden, "the caller is recognised, but the route or the resource is not for it");
            }
        }

        private static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description) =>
            operation.Responses!.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    [ProblemMediaType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
                },
            });
    }
}
