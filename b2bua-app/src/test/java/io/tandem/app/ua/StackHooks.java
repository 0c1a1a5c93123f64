package io.tandem.app.ua;

import gov.nist.core.ServerLogger;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.SipStack;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three classes JAIN-SIP RI instantiates by name from a stack's properties, tying the stack
 * back to its {@link SipUa} by stack name: a message log that feeds the UA's {@link Wire}, a
 * stack logger that lets that log run while keeping JAIN-SIP's own logging quiet, and a valve
 * that drops requests before the transaction layer (a silent carrier must not even send 100).
 *
 * <p>JAIN-SIP decides whether to log messages through one JVM-wide logger, set by the stack
 * created last. Every {@link SipUa} sets {@link QuietLogger}; a stack created afterwards with
 * another logger (JainSipPeer's) would stop the wire records of UAs still open.
 */
final class StackHooks {
  static final String STACK_LOGGER = QuietLogger.class.getName();
  static final String SERVER_LOGGER = WireRecorder.class.getName();
  static final String VALVE = DropValve.class.getName();

  /** Open user agents by stack name. */
  private static final Map<String, SipUa> UAS = new ConcurrentHashMap<>();

  private StackHooks() {}

  static void register(String stackName, SipUa ua) {
    UAS.put(stackName, ua);
  }

  static void unregister(String stackName) {
    UAS.remove(stackName);
  }

  static Iterable<SipUa> open() {
    return UAS.values();
  }

  /** JAIN-SIP's message log, recording into the UA's {@link Wire}. */
  public static final class WireRecorder implements ServerLogger {
    private volatile SipUa ua;

    public WireRecorder() {}

    @Override
    public void setSipStack(SipStack stack) {
      ua = UAS.get(stack.getStackName());
    }

    @Override
    public void setStackProperties(Properties properties) {
      SipUa named = UAS.get(properties.getProperty("javax.sip.STACK_NAME"));
      if (named != null) {
        ua = named;
      }
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
      SipUa owner = ua;
      if (owner != null) {
        owner.wire.record(sender, message);
      }
    }

    @Override
    public void logMessage(
        SIPMessage message, String from, String to, String status, boolean sender, long time) {
      logMessage(message, from, to, sender, time);
    }

    @Override
    public void logMessage(
        SIPMessage message, String from, String to, String status, boolean sender) {
      logMessage(message, from, to, sender, 0L);
    }

    @Override
    public void logException(Exception e) {
      LoggerFactory.getLogger("jain-sip").warn("JAIN-SIP exception", e);
    }

    @Override
    public void closeLogFile() {}
  }

  /**
   * A stack logger that answers "enabled" only for {@link #TRACE_MESSAGES} (JAIN-SIP calls the
   * message log only then) and passes warnings and errors to SLF4J.
   */
  public static final class QuietLogger implements StackLogger {
    private static final Logger LOG = LoggerFactory.getLogger("jain-sip");

    public QuietLogger() {}

    @Override
    public boolean isLoggingEnabled() {
      return false;
    }

    @Override
    public boolean isLoggingEnabled(int level) {
      return level == TRACE_MESSAGES || level <= TRACE_WARN;
    }

    @Override
    public void logFatalError(String message) {
      LOG.error(message);
    }

    @Override
    public void logError(String message) {
      LOG.error(message);
    }

    @Override
    public void logError(String message, Exception e) {
      LOG.error(message, e);
    }

    @Override
    public void logException(Throwable e) {
      LOG.warn("JAIN-SIP exception", e);
    }

    @Override
    public void logWarning(String message) {
      LOG.warn(message);
    }

    @Override
    public void logInfo(String message) {}

    @Override
    public void logDebug(String message) {}

    @Override
    public void logDebug(String message, Exception e) {}

    @Override
    public void logTrace(String message) {}

    @Override
    public void logStackTrace() {}

    @Override
    public void logStackTrace(int level) {}

    @Override
    public int getLineCount() {
      return 0;
    }

    @Override
    public void disableLogging() {}

    @Override
    public void enableLogging() {}

    @Override
    public void setBuildTimeStamp(String timeStamp) {}

    @Override
    public void setStackProperties(Properties properties) {}

    @Override
    public String getLoggerName() {
      return "jain-sip";
    }
  }

  /** Drops the requests the UA's script says to ignore, before any transaction sees them. */
  public static final class DropValve implements SIPMessageValve {
    private volatile SipUa ua;

    public DropValve() {}

    @Override
    public void init(SipStack stack) {
      ua = UAS.get(stack.getStackName());
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
      SipUa owner = ua;
      return owner == null || owner.admit(request);
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
      return true;
    }

    @Override
    public void destroy() {}
  }
}
