namespace Renkei.Network;

/// <summary>A request the network answers with an error status and a stable code (never with a personal value in the message).</summary>
internal sealed class NetworkRefusal(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}
