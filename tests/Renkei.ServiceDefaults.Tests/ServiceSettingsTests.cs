using System.Text;
using Microsoft.Extensions.Configuration;
using Renkei.ServiceDefaults;

namespace Renkei.ServiceDefaults.Tests;

/// <summary>
/// A composer's typed options become configuration keys, and an appsettings document, that the .NET binder reads back to
/// the same values: the path every module's options take from a composer and from a deployment's file.
/// </summary>
public sealed class ServiceSettingsTests
{
    public enum Colour { Red, Green }

    public sealed class Peer
    {
        public string? Code { get; set; }
        public Uri? Endpoint { get; set; }
    }

    public sealed class Sample
    {
        public string? Name { get; set; }
        public int Count { get; set; } = 3;
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
        public bool Enabled { get; set; }
        public Colour Colour { get; set; } = Colour.Green;
        public Uri? Address { get; set; }
        public List<Peer> Peers { get; set; } = [];
        public Peer Nested { get; set; } = new();
        public string Computed => "not a setting";
    }

    private static Sample Filled() => new()
    {
        Name = "品川区",
        Count = 12,
        Timeout = TimeSpan.FromMinutes(1.5),
        Enabled = true,
        Colour = Colour.Red,
        Address = new Uri("https://network.example:8443/"),
        Peers = [new Peer { Code = "131091", Endpoint = new Uri("http://127.0.0.1:7110/") }, new Peer { Code = "PORTAL" }],
        Nested = new Peer { Code = "JLIS" },
    };

    [Fact]
    public void Typed_options_become_keys_the_binder_reads_back()
    {
        var settings = ServiceSettings.From("Sample", Filled());

        Assert.Equal("12", settings["Sample:Count"]);
        Assert.Equal("Red", settings["Sample:Colour"]);
        Assert.Equal("131091", settings["Sample:Peers:0:Code"]);
        Assert.False(settings.ContainsKey("Sample:Computed"));
        Assert.False(settings.ContainsKey("Sample:Peers:1:Endpoint")); // nulls are left out, so a default stays a default
        AssertSame(Filled(), Bind(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
    }

    [Fact]
    public void The_settings_as_an_appsettings_document_bind_to_the_same_values()
    {
        var json = ServiceSettings.ToJson(ServiceSettings.From(("Sample", Filled()), ("Other", new Peer { Code = "X" })));

        Assert.Contains("\"Peers\": [", json); // lists are arrays again, as a person writes them
        Assert.Contains("品川区", json);     // Japanese stays readable
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        AssertSame(Filled(), Bind(configuration));
        Assert.Equal("X", configuration["Other:Code"]);
    }

    [Fact]
    public void Defaults_round_trip_and_the_section_is_required()
    {
        AssertSame(new Sample(), Bind(new ConfigurationBuilder().AddInMemoryCollection(ServiceSettings.From("Sample", new Sample())).Build()));
        Assert.Throws<ArgumentException>(() => ServiceSettings.From(" ", new Sample()));
    }

    private static Sample Bind(IConfiguration configuration) => configuration.GetSection("Sample").Get<Sample>() ?? new Sample();

    private static void AssertSame(Sample expected, Sample actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Timeout, actual.Timeout);
        Assert.Equal(expected.Enabled, actual.Enabled);
        Assert.Equal(expected.Colour, actual.Colour);
        Assert.Equal(expected.Address, actual.Address);
        Assert.Equal(expected.Peers.Select(p => (p.Code, p.Endpoint)), actual.Peers.Select(p => (p.Code, p.Endpoint)));
        Assert.Equal(expected.Nested.Code, actual.Nested.Code);
    }
}
