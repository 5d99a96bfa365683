using System.Net;
using System.Net.Sockets;

namespace Renkei.TestSupport;

/// <summary>Loopback ports for tests that start a service on a known port, e.g. to show that nothing listens after a refused start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free right now (the system picks it; another process could take it before the test does).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when something accepts connections on the loopback port.</summary>
    public static bool IsListening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
