using Renkei.Core.Crypto;
using Renkei.ServiceDefaults.Access;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Tls;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// A <see cref="ServiceHost"/> with <see cref="MutualTls"/> on real loopback HTTPS: it accepts only clients presenting
/// a certificate from the network's CA, tells endpoints who called, and refuses a request whose institution header names
/// someone else; the outgoing handler trusts only that CA and the host name it called.
/// </summary>
public sealed class MutualTlsHostTests : IDisposable
{
    private readonly NodeCertificateAuthority _authority = NodeCertificateAuthority.Create();
    private readonly NodeCertificateAuthority _stranger = NodeCertificateAuthority.Create("Someone else's CA");

    public void Dispose()
    {
        _authority.Dispose();
        _stranger.Dispose();
    }

    /// <summary>A node's TLS setting from <paramref name="issuer"/> (trusting <see cref="_authority"/> unless told otherwise).</summary>
    private MutualTls Node(string code, NodeCertificateAuthority? issuer = null, string[]? hosts = null, NodeCertificateAuthority? trusts = null) =>
        new(IssueWithKey(issuer ?? _authority, code, hosts ?? ["localhost", "127.0.0.1"]),
            X509CertificateLoader.LoadCertificate((trusts ?? _authority).Certificate.RawData));

    private static X509Certificate2 IssueWithKey(NodeCertificateAuthority issuer, string code, string[] hosts)
    {
        using var issued = issuer.Issue(code, hosts);
        return X509CertificateLoader.LoadPkcs12(issued.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A host that answers who called (the CN of the client certificate) on <c>GET /whoami</c>.</summary>
    private static Task<ServiceHost> StartAsync(MutualTls tls) => ServiceHost.StartAsync("whoami",
        _ => { },
        app =>
        {
            app.MapGet("/whoami", (HttpContext context) => Results.Json(new Caller(CallerCertificate.InstitutionOf(context))))
                .AllowPublic("test: answers who called");
            app.MapGet("/institutions-only", (HttpContext context) => Results.Json(new Caller(CallerCertificate.InstitutionOf(context))))
                .RequireInstitution("test: any institution");
            app.MapPost("/login", (HttpContext context) => Results.Json(new Caller(CallerCertificate.InstitutionOf(context))))
                .AllowPublic("test: a login form anyone may post to");
        },
        new ServiceHostOptions { MutualTls = tls });

    private sealed record Caller(string? Institution);

    private static HttpClient Client(HttpMessageHandler handler, Uri baseAddress) =>
        new(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client that trusts the server's CA (so only the client side is under test) and presents <paramref name="certificate"/>, or nothing.</summary>
    private HttpClient ClientPresenting(X509Certificate2? certificate, Uri baseAddress)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, _) =>
            server is X509Certificate2 s && s.Issuer == _authority.Certificate.Subject;
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }
        return Client(handler, baseAddress);
    }

    [Fact]
    public async Task A_node_certificate_from_the_ca_is_accepted_and_names_the_caller()
    {
        using var serverTls = Node("JLIS00");
        await using var host = await StartAsync(serverTls);
        Assert.Equal("https", host.BaseAddress.Scheme);

        using var clientTls = Node("131091");
        using var client = Client(clientTls.CreateHandler(), host.BaseAddress);
        var caller = await client.GetFromJsonAsync<Caller>("whoami", JsonDefaults.Options);
        Assert.Equal("131091", caller!.Institution);
    }

    [Fact]
    public async Task A_client_without_a_certificate_reaches_public_routes_only()
    {
        using var serverTls = Node("JLIS00");
        await using var host = await StartAsync(serverTls);
        using var client = ClientPresenting(null, host.BaseAddress);
        // A monitor or a load balancer: public routes answer (and no one is named as the caller).
        var anonymous = await client.GetAsync("whoami");
        Assert.True(anonymous.IsSuccessStatusCode, await anonymous.Content.ReadAsStringAsync());
        Assert.Null((await anonymous.Content.ReadFromJsonAsync<Caller>(JsonDefaults.Options))!.Institution);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/ready")).StatusCode);
        // Anything else needs a node certificate, whatever headers or signature come along — a public POST (a login) too.
        foreach (var (method, path) in new[] { (HttpMethod.Get, "institutions-only"), (HttpMethod.Get, "no-such-route"), (HttpMethod.Post, "login") })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add(SignatureHeaders.Institution, "131091");
            var refused = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(CallerCertificate.RequiredCode, (await refused.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!.Code);
        }
        // With a certificate from the network's CA the same request passes this gate (and meets the route's own check:
        // this probe registered no institutions, so it answers 503, not 401).
        using var clientTls = Node("131091");
        using var certified = Client(clientTls.CreateHandler(), host.BaseAddress);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await certified.GetAsync("institutions-only")).StatusCode);
    }

    [Fact]
    public async Task A_client_certificate_from_another_ca_is_refused_even_with_the_same_name()
    {
        using var serverTls = Node("JLIS00");
        await using var host = await StartAsync(serverTls);
        using var foreign = IssueWithKey(_stranger, "131091", ["localhost", "127.0.0.1"]);
        using var client = ClientPresenting(foreign, host.BaseAddress);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync("whoami"));

        // The same client with a certificate from the network's CA gets through: the refusal was the issuer.
        using var own = IssueWithKey(_authority, "131091", ["localhost", "127.0.0.1"]);
        using var good = ClientPresenting(own, host.BaseAddress);
        Assert.Contains("131091", await good.GetStringAsync("whoami"));
    }

    [Fact]
    public async Task A_request_whose_institution_header_names_another_institution_is_refused()
    {
        using var serverTls = Node("NETWORK");
        await using var host = await StartAsync(serverTls);
        using var clientTls = Node("131091");
        using var client = Client(clientTls.CreateHandler(), host.BaseAddress);

        using var impostor = new HttpRequestMessage(HttpMethod.Get, "whoami");
        impostor.Headers.Add(SignatureHeaders.Institution, "131113");
        var refused = await client.SendAsync(impostor);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(CallerCertificate.MismatchCode, (await refused.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!.Code);

        using var honest = new HttpRequestMessage(HttpMethod.Get, "whoami");
        honest.Headers.Add(SignatureHeaders.Institution, "131091");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(honest)).StatusCode);
    }

    [Fact]
    public async Task The_outgoing_handler_refuses_a_server_from_another_ca()
    {
        using var strangerServer = Node("JLIS00", issuer: _stranger, trusts: _stranger);
        await using var host = await StartAsync(strangerServer);
        using var clientTls = Node("131091");
        using var client = Client(clientTls.CreateHandler(), host.BaseAddress);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync("whoami"));
    }

    [Fact]
    public async Task The_outgoing_handler_refuses_a_server_certificate_for_another_host()
    {
        using var elsewhere = Node("JLIS00", hosts: ["jlis.example.test"]);
        await using var host = await StartAsync(elsewhere);
        using var clientTls = Node("131091");
        using var client = Client(clientTls.CreateHandler(), host.BaseAddress); // https://127.0.0.1:…
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync("whoami"));
    }

    [Fact]
    public void Loading_checks_that_certificate_key_and_ca_belong_together()
    {
        using var files = new Renkei.TestSupport.TempDirectory();
        using var node = _authority.Issue("131091", ["localhost"]);
        using var other = _authority.Issue("131113", ["localhost"]);
        using var foreign = _stranger.Issue("131091", ["localhost"]);
        File.WriteAllText(files.File("ca.pem"), PemCertificates.ToPem(_authority.Certificate));
        File.WriteAllText(files.File("node.pem"), PemCertificates.ToPem(node));
        File.WriteAllText(files.File("node.key"), PemCertificates.PrivateKeyPem(node));
        File.WriteAllText(files.File("other.key"), PemCertificates.PrivateKeyPem(other));
        File.WriteAllText(files.File("foreign.pem"), PemCertificates.ToPem(foreign));
        File.WriteAllText(files.File("foreign.key"), PemCertificates.PrivateKeyPem(foreign));

        using (var loaded = MutualTls.Load(files.File("node.pem"), files.File("node.key"), files.File("ca.pem")))
            Assert.Equal("131091", loaded.InstitutionCode);
        Assert.Contains("other.key is not the private key of node.pem",
            Assert.Throws<InvalidDataException>(() => MutualTls.Load(files.File("node.pem"), files.File("other.key"), files.File("ca.pem"))).Message);
        Assert.Contains("foreign.pem is not a valid",
            Assert.Throws<InvalidDataException>(() => MutualTls.Load(files.File("foreign.pem"), files.File("foreign.key"), files.File("ca.pem"))).Message);
        Assert.Contains("node.pem is not a CA certificate",
            Assert.Throws<InvalidDataException>(() => MutualTls.Load(files.File("node.pem"), files.File("node.key"), files.File("node.pem"))).Message);
        Assert.Contains("missing.pem cannot be read",
            Assert.Throws<InvalidDataException>(() => MutualTls.Load(files.File("missing.pem"), files.File("node.key"), files.File("ca.pem"))).Message);
    }
}
